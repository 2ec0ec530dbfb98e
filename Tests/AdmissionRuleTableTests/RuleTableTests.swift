@testable import azwi_webhook
import Admission
import ArgumentParser
import Foundation
import Testing
import YAML

/// The admission rule table (`Tests/Fixtures/admission/cases/*.yaml`) through `Admitter` directly,
/// so a rule change is checked in seconds; `Tests/integration/admission` runs the same files
/// through the real binary with independent clients (`jsonpatch`, `kubernetes-validate`).
///
/// Each case's flags and environment go through `mutate`'s own option parsing and configuration;
/// the pod keeps its member order (as the API server sends it); each patch is applied with the
/// admission fuzz oracle's RFC 6902 applier (`JSONTree`) and the result compared as JSON values.
@Suite struct RuleTableTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let casesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/admission/cases")
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: casesDirectory.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted()

    @Test func theTableIsNotEmpty() {
        #expect(Self.cases.count >= 40)
    }

    @Test(arguments: cases)
    func ruleTableCase(_ file: String) throws {
        let node = try YAMLNode.parse(Array(try Data(contentsOf: Self.casesDirectory.appendingPathComponent(file))))
        let expectNode = try #require(node["expect"])
        let args = node["args"]?.items?.compactMap(\.string) ?? []
        var environment = ["AZURE_TENANT_ID": Self.tenant]
        for pair in node["env"]?.pairs ?? [] { environment[pair.key] = pair.value.string }
        let command = try MutateCommand.parse(["--review", "-"] + args)

        let config: AdmissionConfig
        do {
            config = try command.admission.makeConfig(defaultTenantID: nil, environment: environment)
        } catch {
            let message = try #require(expectNode["startError"]?.string, "\(file): refused to start: \(error)")
            #expect("\(error)".contains(message))
            return
        }
        #expect(expectNode["startError"] == nil, "\(file): started")

        let object = try #require(node["review"]?["request"]?["object"] ?? node["pod"]).jsonBytes()
        let namespace = node["review"]?["request"]?["namespace"]?.string ?? node["namespace"]?.string ?? "default"
        let account = node["serviceAccount"].map(Self.facts)
        let admitter = Admitter(config: config)
        let review = { (pod: [UInt8]) in node["review"].map { Self.replacingObject(in: $0, with: pod) } ?? Self.createReview(pod, namespace: namespace) }
        let outcome = try Self.admit(review(object), admitter, account, command.nativeSidecars)
        #expect(outcome.warnings == (expectNode["warnings"]?.items?.compactMap(\.string) ?? []), "\(file)")

        if let denied = expectNode["denied"]?.string {
            guard case let .denied(_, message) = outcome.decision else {
                Issue.record("\(file): not denied")
                return
            }
            #expect(message == denied, "\(file)")
            #expect(outcome.patch == nil)
            return
        }
        let operations = try #require(JSONTree.parse(outcome.patch ?? Array("[]".utf8)))
        let patched = try #require(JSONTree.parse(object)?.applying(operations), "\(file): the patch does not apply")
        var mutated: [UInt8] = []
        patched.write(into: &mutated)
        if expectNode["unchanged"]?.string == "true" {
            #expect(outcome.patch == nil, "\(file)")
        } else {
            let expected = try JSONSerialization.jsonObject(with: Data(try #require(expectNode["pod"]).jsonBytes()))
            let actual = try JSONSerialization.jsonObject(with: Data(mutated))
            #expect(NSDictionary(dictionary: actual as? [String: Any] ?? [:]).isEqual(to: expected as? [String: Any] ?? [:]), "\(file)")
        }
        // Reinvocation: the result admitted again needs no patch.
        #expect(try Self.admit(review(mutated), admitter, account, command.nativeSidecars).patch == nil, "\(file): a second pass patched")
    }

    /// A v1 CREATE review of `pod` (JSON bytes, kept in their order).
    static func createReview(_ pod: [UInt8], namespace: String) -> [UInt8] {
        var namespaceJSON = YAMLNode.string(namespace).jsonBytes()
        namespaceJSON.insert(contentsOf: Array(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","userInfo":{"username":"admin"},"dryRun":false,"namespace":"#.utf8), at: 0)
        return namespaceJSON + Array(#","object":"#.utf8) + pod + Array("}}".utf8)
    }

    /// The case's own review with `request.object` replaced by `pod`.
    static func replacingObject(in review: YAMLNode, with pod: [UInt8]) -> [UInt8] {
        let marker = "object-placeholder-7d1c"
        var copy = review
        if case var .mapping(pairs) = copy, let requestIndex = pairs.firstIndex(where: { $0.key == "request" }),
           case var .mapping(requestPairs) = pairs[requestIndex].value,
           let objectIndex = requestPairs.firstIndex(where: { $0.key == "object" }) {
            requestPairs[objectIndex].value = .string(marker)
            pairs[requestIndex].value = .mapping(requestPairs)
            copy = .mapping(pairs)
        }
        let text = String(decoding: copy.jsonBytes(), as: UTF8.self)
        return Array(text.replacingOccurrences(of: "\"\(marker)\"", with: String(decoding: pod, as: UTF8.self)).utf8)
    }

    static func facts(_ serviceAccount: YAMLNode) -> ServiceAccountFacts {
        var annotations: [String: String] = [:]
        for pair in serviceAccount["metadata"]?["annotations"]?.pairs ?? [] { annotations[pair.key] = pair.value.string }
        return ServiceAccountFacts(
            namespace: serviceAccount["metadata"]?["namespace"]?.string ?? "default",
            name: serviceAccount["metadata"]?["name"]?.string ?? "", annotations: annotations)
    }

    static func admit(_ review: [UInt8], _ admitter: Admitter, _ account: ServiceAccountFacts?, _ nativeSidecars: Bool) throws -> AdmissionOutcome {
        let request = try AdmissionRequest.read(review)
        let matching = account.flatMap { $0.namespace == request.namespace && $0.name == request.serviceAccountName ? $0 : nil }
        return admitter.admit(request, serviceAccount: matching, nativeSidecars: nativeSidecars)
    }
}
