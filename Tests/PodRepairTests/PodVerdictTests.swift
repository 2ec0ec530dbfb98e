import PodRepair
import Testing

@Suite("Unmutated or not: admission's rules on the facts repair keeps")
struct PodVerdictTests {
    private func pod(
        _ containers: [(String, Bool)], volume: Bool, phase: PodRecord.Phase = .running, deleting: Bool = false, mirror: Bool = false,
        objectSelected: Bool = true, skip: String? = nil, include: String? = nil
    ) -> PodRecord {
        PodRecord(
            uid: PodUID("0b5c1a8e-2d4f-4c6b-9e1a-7f3d2c1b0a99"), namespace: "team", name: "web-1", controller: .replicaSet, phase: phase,
            isDeleting: deleting, isMirror: mirror, hasTokenVolume: volume, objectSelected: objectSelected,
            containers: containers.map { PodRecord.Container(name: $0.0, hasTokenFile: $0.1) }, skipContainers: skip, includeContainers: include)
    }

    @Test func aMutatedPodHasTheVariableInEveryContainerAndTheVolume() {
        #expect(pod([("app", true), ("sidecar", true)], volume: true).verdict == .mutated)
    }

    @Test func aPodTheWebhookNeverSawLacksBoth() {
        #expect(pod([("init", false), ("app", false)], volume: false).verdict == .unmutated(.init(containers: ["init", "app"], volume: true)))
        #expect(pod([("app", true)], volume: false).verdict == .unmutated(.init(containers: [], volume: true)))
        #expect(pod([("app", true), ("late", false)], volume: true).verdict == .unmutated(.init(containers: ["late"], volume: false)))
    }

    @Test func skippedAndNotIncludedContainersAreNotExpectedToHaveIt() {
        #expect(pod([("app", true), ("istio-proxy", false)], volume: true, skip: " istio-proxy ").verdict == .mutated)
        #expect(pod([("app", true), ("other", false)], volume: true, include: "app").verdict == .mutated)
        #expect(pod([("app", false)], volume: false, skip: "app").verdict == .notApplicable("no container the webhook mutates"))
        #expect(pod([("app", false)], volume: false, skip: "app", include: "app").verdict == .notApplicable("no container the webhook mutates"))
    }

    @Test func finishedDeletingMirrorAndUnselectedPodsAreLeftAlone() {
        #expect(pod([("app", false)], volume: false, phase: .pending).verdict != .mutated)
        #expect(pod([("app", false)], volume: false, phase: .finished).verdict == .notApplicable("finished"))
        #expect(pod([("app", false)], volume: false, deleting: true).verdict == .notApplicable("being deleted"))
        #expect(pod([("app", false)], volume: false, mirror: true).verdict == .notApplicable("a mirror pod"))
        #expect(pod([("app", false)], volume: false, objectSelected: false).verdict == .notApplicable("not selected by the webhook's objectSelector"))
    }

    @Test func uidsRoundTripCompactOrNot() {
        #expect(PodUID("0b5c1a8e-2d4f-4c6b-9e1a-7f3d2c1b0a99").description == "0b5c1a8e-2d4f-4c6b-9e1a-7f3d2c1b0a99")
        #expect(PodUID("0B5C1A8E-2D4F-4C6B-9E1A-7F3D2C1B0A99").description == "0B5C1A8E-2D4F-4C6B-9E1A-7F3D2C1B0A99")
        #expect(PodUID("uid-team-web-1").description == "uid-team-web-1")
        #expect(PodUID("ffffffff-ffff-ffff-ffff-ffffffffffff") != PodUID("ffffffff-ffff-ffff-ffff-fffffffffffe"))
    }
}
