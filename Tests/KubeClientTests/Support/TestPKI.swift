import Foundation

/// Throw-away certificates made with the `openssl` CLI for one test run: a CA and a server
/// certificate for `localhost`/127.0.0.1, a client CA with a client certificate, and an
/// unrelated CA that must not be trusted.
struct TestPKI: Sendable {
    let directory: String
    var caPEM: String { directory + "/ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var clientCAPEM: String { directory + "/client-ca.pem" }
    var clientCertificate: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }
    var otherCAPEM: String { directory + "/other-ca.pem" }

    /// Generated once per test process.
    static let shared: Result<TestPKI, any Error> = Result { try TestPKI.generate() }

    private static func generate() throws -> TestPKI {
        let directory = NSTemporaryDirectory() + "kubeclient-pki-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pki = TestPKI(directory: directory)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for (name, subject) in [("ca", "/CN=test-apiserver-ca"), ("client-ca", "/CN=test-client-ca"), ("other-ca", "/CN=unrelated-ca")] {
            try openssl(["req", "-x509"] + ec + ["-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "2", "-subj", subject], in: directory)
        }
        try issue("server", subject: "/CN=kube-apiserver", signer: "ca", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n", in: directory)
        try issue("client", subject: "/O=system:masters/CN=azwi-webhook", signer: "client-ca", extensions: "extendedKeyUsage=clientAuth\n", in: directory)
        return pki
    }

    private static func issue(_ name: String, subject: String, signer: String, extensions: String, in directory: String) throws {
        try extensions.write(toFile: "\(directory)/\(name).ext", atomically: true, encoding: .utf8)
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(directory)/\(name).key",
                     "-out", "\(directory)/\(name).csr", "-subj", subject], in: directory)
        try openssl(["x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/\(signer).pem", "-CAkey", "\(directory)/\(signer).key",
                     "-CAcreateserial", "-out", "\(directory)/\(name).pem", "-days", "2", "-extfile", "\(directory)/\(name).ext"], in: directory)
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("openssl \(arguments.prefix(2).joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }

    /// The bytes of a PEM file.
    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// A setup failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
