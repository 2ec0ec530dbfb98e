import YAML

extension DoctorReport {
    /// The report as JSON: `{"target", "namespace", "checks": [{"id", "status", "message", "fix"}],
    /// "federatedCredential": {"issuer", "subject", "audience"}}`, as `docs/doctor.schema.json` describes.
    func json() -> [UInt8] {
        let checks = YAMLNode.sequence(self.checks.map { check in
            .mapping([
                YAMLPair(key: "id", value: .string(check.id.rawValue)),
                YAMLPair(key: "status", value: .string(check.status.rawValue)),
                YAMLPair(key: "message", value: .string(check.message)),
                YAMLPair(key: "fix", value: check.fix.map(YAMLNode.string) ?? Self.null),
            ])
        })
        let credential = federatedCredential.map { credential in
            YAMLNode.mapping([
                YAMLPair(key: "issuer", value: credential.issuer.map(YAMLNode.string) ?? Self.null),
                YAMLPair(key: "subject", value: .string(credential.subject)),
                YAMLPair(key: "audience", value: .string(credential.audience)),
            ])
        }
        var out = YAMLNode.mapping([
            YAMLPair(key: "target", value: .string(target)),
            YAMLPair(key: "namespace", value: .string(namespace)),
            YAMLPair(key: "checks", value: checks),
            YAMLPair(key: "federatedCredential", value: credential ?? Self.null),
        ]).jsonBytes()
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// JSON `null`: a plain `null` scalar.
    private static let null = YAMLNode.scalar("null", quoted: false)
}
