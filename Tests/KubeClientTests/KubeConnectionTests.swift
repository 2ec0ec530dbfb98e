import Foundation
@testable import KubeClient
import Testing

@Suite("Kubeconfig and in-cluster loading")
struct KubeConnectionTests {
    private static func kubeconfig(cluster: String, user: String, context: String = "test") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: \(context)
        clusters:
        - name: other
          cluster:
            server: https://other.example:1
        - name: main
          cluster:
        \(cluster.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        contexts:
        - name: test
          context:
            cluster: main
            user: me
            namespace: team-a
        users:
        - name: me
          user:
        \(user.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    private static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    @Test func tokenWithInlineCAData() throws {
        let ca = Data(Self.caPEM.utf8).base64EncodedString()
        let text = Self.kubeconfig(cluster: "server: https://10.0.0.1:6443\ncertificate-authority-data: \(ca)", user: "token: abc123")
        let connection = try KubeConnection.fromKubeconfig(bytes: Array(text.utf8), directory: "/nowhere")
        #expect(connection.host == "10.0.0.1")
        #expect(connection.port == 6443)
        #expect(connection.trustedCAPEM == Array(Self.caPEM.utf8))
        #expect(connection.credential == .token("abc123"))
        #expect(connection.namespace == "team-a")
        #expect(connection.insecureSkipTLSVerify == false)
        #expect(connection.origin.contains("context test"))
    }

    @Test func tokenFileAndCAFileResolveAgainstTheKubeconfigDirectory() throws {
        let directory = try TemporaryDirectory()
        try directory.write("secrets/ca.crt", Self.caPEM)
        try directory.write("secrets/token", "file-token\n")
        let path = try directory.write("config", Self.kubeconfig(
            cluster: "server: https://api.example.com\ncertificate-authority: secrets/ca.crt\ntls-server-name: kubernetes.default",
            user: "token: inline\ntokenFile: secrets/token"
        ))
        let connection = try KubeConnection.fromKubeconfig(path: path)
        #expect(connection.host == "api.example.com")
        #expect(connection.port == 443)
        #expect(connection.tlsServerName == "kubernetes.default")
        #expect(connection.trustedCAPEM == Array(Self.caPEM.utf8))
        #expect(connection.credential == .tokenFile(directory.path + "/secrets/token"))
    }

    @Test func clientCertificateDataAndFiles() throws {
        let directory = try TemporaryDirectory()
        try directory.write("client.crt", "CERT")
        try directory.write("client.key", "KEY")
        let fromFiles = try KubeConnection.fromKubeconfig(path: try directory.write("a", Self.kubeconfig(
            cluster: "server: https://[::1]:6443\ninsecure-skip-tls-verify: true",
            user: "client-certificate: client.crt\nclient-key: \(directory.path)/client.key"
        )))
        #expect(fromFiles.host == "::1")
        #expect(fromFiles.hostField == "[::1]:6443")
        #expect(fromFiles.insecureSkipTLSVerify)
        #expect(fromFiles.clientCertificatePEM == Array("CERT".utf8))
        #expect(fromFiles.clientKeyPEM == Array("KEY".utf8))
        #expect(fromFiles.credential == nil)

        let cert = Data("CERT2".utf8).base64EncodedString(), key = Data("KEY2".utf8).base64EncodedString()
        let fromData = try KubeConnection.fromKubeconfig(bytes: Array(Self.kubeconfig(
            cluster: "server: https://127.0.0.1:1234",
            user: "client-certificate-data: \(cert)\nclient-key-data: \(key)\nclient-certificate: missing.crt"
        ).utf8), directory: directory.path)
        #expect(fromData.clientCertificatePEM == Array("CERT2".utf8))
        #expect(fromData.clientKeyPEM == Array("KEY2".utf8))
    }

    @Test(arguments: [
        ("exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: aws", "exec"),
        ("auth-provider:\n  name: gcp", "auth-provider"),
        ("username: admin\npassword: secret", "basic authentication"),
        ("client-certificate-data: Q0VSVA==", "both client-certificate and client-key"),
    ])
    func unsupportedAuthenticationIsRefusedAtLoad(user: String, mentions: String) throws {
        let text = Self.kubeconfig(cluster: "server: https://127.0.0.1:6443", user: user)
        let error = #expect(throws: KubeClientError.self) {
            try KubeConnection.fromKubeconfig(bytes: Array(text.utf8), directory: "/")
        }
        #expect("\(error!)".contains(mentions))
    }

    @Test(arguments: [
        ("server: http://127.0.0.1:8080", "not an https:// URL"),
        ("server: https://127.0.0.1:99999", "invalid port"),
        ("server: https://127.0.0.1:6443/prefix", "path"),
        // Found by the kubeconfig fuzz target: hosts that would not survive the Host field.
        ("server: 'https://#:644:31]:3/'", "invalid host"),
        ("server: https://a:b:6443", "invalid host"),
        ("server: 'https://[::1 ]:6443'", "invalid host"),
        ("server: https://[example.com]:6443", "invalid host"),
        ("server: \"https://evil\\r\\nX-Injected: 1:6443\"", "invalid host"),
        ("certificate-authority: /does/not/exist\nserver: https://a:1", "cannot read certificate-authority"),
        ("certificate-authority-data: '%%%'\nserver: https://a:1", "not base64"),
        ("insecure-skip-tls-verify: true", "no server"),
    ])
    func badClustersAreRefusedWithAReason(cluster: String, mentions: String) throws {
        let text = Self.kubeconfig(cluster: cluster, user: "token: x")
        let error = #expect(throws: KubeClientError.self) {
            try KubeConnection.fromKubeconfig(bytes: Array(text.utf8), directory: "/")
        }
        #expect("\(error!)".contains(mentions))
    }

    @Test func missingContextOrInvalidYAMLIsRefused() throws {
        let noContext = Self.kubeconfig(cluster: "server: https://a:1", user: "token: x", context: "absent")
        #expect(throws: KubeClientError.configuration("kubeconfig, context absent: context absent is not defined")) {
            try KubeConnection.fromKubeconfig(bytes: Array(noContext.utf8), directory: "/")
        }
        #expect(throws: KubeClientError.self) { try KubeConnection.fromKubeconfig(bytes: Array("a: [".utf8), directory: "/") }
        #expect(throws: KubeClientError.self) { try KubeConnection.fromKubeconfig(bytes: Array("kind: Config".utf8), directory: "/") }
    }

    @Test func inClusterReadsTheMountedServiceAccount() throws {
        let root = try TemporaryDirectory()
        try root.write("token", "pod-token\n")
        try root.write("ca.crt", Self.caPEM)
        try root.write("namespace", "azure-workload-identity-system")
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let connection = try KubeConnection.load(kubeconfigPath: nil, environment: environment, inClusterRoot: root.path)
        #expect(connection.host == "10.96.0.1")
        #expect(connection.port == 443)
        #expect(connection.credential == .tokenFile(root.path + "/token"))
        #expect(connection.trustedCAPEM == Array(Self.caPEM.utf8))
        #expect(connection.namespace == "azure-workload-identity-system")
        #expect(connection.origin.hasPrefix("in-cluster"))
    }

    @Test func inClusterWithoutTokenOrPortIsRefused() throws {
        let root = try TemporaryDirectory()
        try root.write("ca.crt", Self.caPEM)
        #expect(throws: KubeClientError.self) {
            try KubeConnection.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], root: root.path)
        }
        try root.write("token", "t")
        #expect(throws: KubeClientError.self) {
            try KubeConnection.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], root: root.path)
        }
    }

    @Test func loadingOrderIsFlagThenKUBECONFIGThenInCluster() throws {
        let directory = try TemporaryDirectory()
        let flag = try directory.write("flag", Self.kubeconfig(cluster: "server: https://flag.example:1", user: "token: a"))
        let env = try directory.write("env", Self.kubeconfig(cluster: "server: https://env.example:2", user: "token: b"))
        try directory.write("token", "t")
        try directory.write("ca.crt", Self.caPEM)
        let environment = [
            "KUBECONFIG": directory.path + "/missing:" + env,
            "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
        ]
        #expect(try KubeConnection.load(kubeconfigPath: flag, environment: environment, inClusterRoot: directory.path).host == "flag.example")
        #expect(try KubeConnection.load(kubeconfigPath: nil, environment: environment, inClusterRoot: directory.path).host == "env.example")
        var inCluster = environment
        inCluster["KUBECONFIG"] = nil
        #expect(try KubeConnection.load(kubeconfigPath: "", environment: inCluster, inClusterRoot: directory.path).host == "10.96.0.1")
        #expect(throws: KubeClientError.self) { try KubeConnection.load(kubeconfigPath: nil, environment: [:], inClusterRoot: directory.path) }
    }
}
