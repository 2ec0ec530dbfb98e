@testable import azwi_webhook
import Testing

@Suite struct DoctorTargetTests {
    @Test(arguments: [
        ("deployment/web", DoctorTarget.Kind.deployment), ("deploy/web", .deployment), ("deployments.apps/web", .deployment),
        ("Deployment/web", .deployment), ("pod/web", .pod), ("po/web", .pod), ("pods/web", .pod),
        ("sts/web", .statefulset), ("ds/web", .daemonset), ("job.batch/web", .job), ("cj/web", .cronjob),
        ("rs/web", .replicaset), ("sa/web", .serviceaccount), ("serviceaccount/web", .serviceaccount),
    ])
    func acceptsKubectlSpellingsOfEachKind(_ text: String, _ kind: DoctorTarget.Kind) throws {
        #expect(try DoctorTarget(parsing: text) == DoctorTarget(kind: kind, name: "web"))
    }

    @Test(arguments: ["web", "deployment/", "/web", "deployment/web/x", "service/web", "pod/Web", "pod/-web", "pod/web_1", "pod.apps/web"])
    func rejectsWhatIsNotKindSlashName(_ text: String) {
        #expect(throws: DoctorFailure.self) { try DoctorTarget(parsing: text) }
    }

    @Test func printsAsKubectlWritesIt() throws {
        #expect(try DoctorTarget(parsing: "deploy/web-1.a").description == "deployment/web-1.a")
    }

    @Test func mapsObjectKindsBack() {
        #expect(DoctorTarget.Kind(objectKind: "ReplicaSet") == .replicaset)
        #expect(DoctorTarget.Kind(objectKind: "Service") == nil)
    }
}
