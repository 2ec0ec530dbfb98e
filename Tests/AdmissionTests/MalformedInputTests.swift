import Foundation
import Testing
@testable import Admission

/// A reproducible generator (SplitMix64), so a failing mutation can be replayed.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Randomly damaged reviews must be refused or admitted, never crash; whatever is admitted
/// must produce a response and a patch that are valid JSON.
@Test func randomlyDamagedReviewsNeverCrashAndAlwaysAnswerValidJSON() throws {
    let original = try fixture("deployment-pod-review.json")
    let admitter = Admitter(config: AdmissionConfig(tenantID: "t", authorityHost: "https://login.microsoftonline.com/"))
    let account = ServiceAccountFacts(namespace: "shop", name: "orders-api", annotations: ["azure.workload.identity/client-id": "c"])
    let interesting: [UInt8] = Array("{}[]\",:\\0123456789-+.eEtrufalsn \u{7F}".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xE2, 0xFF]
    var generator = SeededGenerator(state: 20261123)
    var admitted = 0
    for _ in 0..<3_000 {
        var bytes = original
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: bytes[index] = interesting.randomElement(using: &generator)!
            case 1: bytes.remove(at: index)
            default: bytes.insert(interesting.randomElement(using: &generator)!, at: index)
            }
        }
        guard let request = try? AdmissionRequest.read(bytes) else { continue }
        admitted += 1
        let outcome = admitter.admit(request, serviceAccount: account, nativeSidecars: false)
        #expect((try? JSONSerialization.jsonObject(with: Data(outcome.responseBody))) != nil)
        if let patch = outcome.patch {
            #expect((try? JSONSerialization.jsonObject(with: Data(patch))) is [Any])
        }
    }
    #expect(admitted > 100, "the mutations should leave many reviews readable")
}
