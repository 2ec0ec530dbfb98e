import FoundationEssentials

/// The API server's version from `GET /version`, enough to decide version-dependent behaviour.
///
/// Managed clusters report minors such as "32+"; the digits before any suffix count, and when
/// major/minor are empty the `gitVersion` ("v1.32.3-gke.1") is read instead.
public struct KubeServerVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var gitVersion: String

    public init(major: Int, minor: Int, gitVersion: String = "") {
        self.major = major
        self.minor = minor
        self.gitVersion = gitVersion
    }

    /// Whether this version is `major.minor` or later.
    public func isAtLeast(major: Int, minor: Int) -> Bool {
        self.major > major || (self.major == major && self.minor >= minor)
    }

    /// Native sidecars (init containers with `restartPolicy: Always`) are on by default from 1.29
    /// and GA in 1.33; the webhook injects them from 1.32, as upstream does.
    public var supportsNativeSidecars: Bool { isAtLeast(major: 1, minor: 32) }

    public var description: String { "\(major).\(minor)" + (gitVersion.isEmpty ? "" : " (\(gitVersion))") }

    private struct Wire: Decodable {
        var major: String?
        var minor: String?
        var gitVersion: String?
    }

    /// Decodes a `/version` body.
    ///
    /// - Throws: `KubeClientError.decoding` when neither major/minor nor gitVersion hold a version.
    public static func decode(_ body: [UInt8]) throws(KubeClientError) -> KubeServerVersion {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(body)) else {
            throw .decoding("/version is not a version object: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        let git = wire.gitVersion ?? ""
        if let major = leadingNumber(wire.major ?? ""), let minor = leadingNumber(wire.minor ?? "") {
            return KubeServerVersion(major: major, minor: minor, gitVersion: git)
        }
        let parts = git.drop { $0 == "v" }.split(separator: ".")
        if parts.count >= 2, let major = leadingNumber(parts[0]), let minor = leadingNumber(parts[1]) {
            return KubeServerVersion(major: major, minor: minor, gitVersion: git)
        }
        throw .decoding("/version has no usable version (major \(wire.major ?? "-"), minor \(wire.minor ?? "-"), gitVersion \(git))")
    }

    private static func leadingNumber(_ text: some StringProtocol) -> Int? {
        Int(text.prefix { $0.isASCII && $0.isNumber })
    }
}
