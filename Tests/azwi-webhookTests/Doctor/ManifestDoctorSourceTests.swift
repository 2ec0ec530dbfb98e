@testable import azwi_webhook
import FoundationEssentials
import KubeClient
import Testing

@Suite struct ManifestDoctorSourceTests {
    private func write(_ text: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func theFirstWorkloadIsTheTargetAndListsAreFlattened() throws {
        let path = write("""
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ServiceAccount, metadata: {name: reader}}
            - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: prod}}
            ---
            {apiVersion: v1, kind: Pod, metadata: {name: other}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try ManifestDoctorSource(manifestPath: path, serviceAccountPath: nil)
        let target = try source.defaultTarget()
        #expect(target == DoctorTarget(kind: .deployment, name: "web") && source.namespace(of: target) == "prod")
        #expect(source.get(.serviceAccounts, namespace: "prod", name: "reader").value != nil)
        #expect(source.get(.serviceAccounts, namespace: "prod", name: "writer").unavailable == .missing("ServiceAccount writer is not in the files given"))
        #expect(source.get(.deployments, namespace: "other", name: "web").unavailable == .missing("deployment/web is not in \(path)"))
        #expect(source.get(.mutatingWebhookConfigurations, namespace: nil, name: "hook").unavailable == .offline)
        #expect(source.list(.pods, namespace: "prod", labelSelector: nil).unavailable == .offline)
    }

    @Test func withoutServiceAccountsTheirReadsAreOfflineAndAFileWithoutWorkloadsIsRefused() throws {
        let path = write("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try ManifestDoctorSource(manifestPath: path, serviceAccountPath: nil)
        #expect(source.get(.serviceAccounts, namespace: "ns", name: "reader").unavailable == .offline)
        #expect(throws: DoctorFailure.self) { try source.defaultTarget() }
        #expect(throws: DoctorFailure.self) { try ManifestDoctorSource(manifestPath: path + ".absent", serviceAccountPath: nil) }
    }
}
