extension DoctorReport {
    /// The report for a terminal: one line per check (status, id, what it found), the fix
    /// indented under it, then the federated credential and a summary line.
    func text() -> String {
        let width = DoctorCheck.ID.allCases.map(\.rawValue.count).max()!
        var lines = ["azwi-webhook doctor \(target) -n \(namespace)", ""]
        for check in checks {
            let label = check.status.rawValue.uppercased().padding(to: 4)
            lines.append("\(label)  \(check.id.rawValue.padding(to: width))  \(check.message)")
            if let fix = check.fix {
                let indent = String(repeating: " ", count: width + 8)
                let fixLines = fix.split(separator: "\n", omittingEmptySubsequences: false)
                lines.append("\(indent)fix: \(fixLines[0])")
                lines += fixLines.dropFirst().map { "\(indent)     \($0)" }
            }
        }
        if let credential = federatedCredential {
            lines += ["", "Federated identity credential this workload needs (Entra ID compares each field exactly):"]
            lines.append("  issuer    \(credential.issuer ?? "unknown (no token was read): \(FederatedCredential.issuerPlaceholder)")")
            lines.append("  subject   \(credential.subject)")
            lines.append("  audience  \(credential.audience)")
            lines.append("")
            lines += credential.azCommand.split(separator: "\n").map { "  \($0)" }
            lines.append("")
            lines += credential.terraform.split(separator: "\n").map { "  \($0)" }
            lines.append("")
            lines.append("  A new or changed credential takes effect after a short delay (usually under a few minutes).")
        }
        lines.append("")
        lines.append("\(count(.fail)) failed, \(count(.warn)) warned, \(count(.pass)) passed, \(count(.skip)) skipped")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// The text padded with spaces to `width` characters.
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
