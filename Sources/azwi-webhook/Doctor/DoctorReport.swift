/// Everything one doctor run found: the checks in order and the federated credential the
/// workload needs. Printed as text for people or JSON for tools (`docs/doctor.schema.json`).
struct DoctorReport: Equatable, Sendable {
    /// The target as given (`deployment/web`).
    let target: String
    let namespace: String
    let checks: [DoctorCheck]
    /// Nil when the target could not be read (its ServiceAccount is unknown).
    let federatedCredential: FederatedCredential?

    /// Whether a check failed (exit status 1).
    var hasFailures: Bool { checks.contains { $0.status == .fail } }

    /// How many checks ended with each status, for the summary line.
    func count(_ status: DoctorCheck.Status) -> Int {
        checks.filter { $0.status == status }.count
    }
}
