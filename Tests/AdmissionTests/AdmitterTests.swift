import Foundation
import Testing
@testable import Admission

private let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
private let client = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
private let config = AdmissionConfig(tenantID: tenant, authorityHost: "https://login.microsoftonline.com/")
private let account = ServiceAccountFacts(namespace: "default", name: "app-sa", annotations: [
    "azure.workload.identity/client-id": client, "unrelated/annotation": "dropped",
])

private func admit(_ pod: String, config: AdmissionConfig = config, account: ServiceAccountFacts? = account,
                   apiVersion: String = "admission.k8s.io/v1", nativeSidecars: Bool = false) throws -> AdmissionOutcome {
    Admitter(config: config).admit(
        try AdmissionRequest.read(reviewBytes(pod, apiVersion: apiVersion)), serviceAccount: account, nativeSidecars: nativeSidecars)
}

private func json(_ bytes: [UInt8]) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes))
}

/// The patch as [(op, path)], for checking which paths change.
private func operations(_ outcome: AdmissionOutcome) throws -> [[String]] {
    let ops = try unwrap(try json(try unwrap(outcome.patch)) as? [[String: Any]])
    return ops.map { [$0["op"] as! String, $0["path"] as! String] }
}

@Test func mutatedResponseCarriesTheBase64PatchAndEchoesUidAndVersion() throws {
    let outcome = try admit(simplePod, apiVersion: "admission.k8s.io/v1beta1")
    #expect(outcome.decision == .mutated)
    let review = try unwrap(try json(outcome.responseBody) as? [String: Any])
    #expect(review["apiVersion"] as? String == "admission.k8s.io/v1beta1")
    #expect(review["kind"] as? String == "AdmissionReview")
    let response = try unwrap(review["response"] as? [String: Any])
    #expect(response["uid"] as? String == "u-1")
    #expect(response["allowed"] as? Bool == true)
    #expect(response["patchType"] as? String == "JSONPatch")
    let patch = try unwrap(Data(base64Encoded: try unwrap(response["patch"] as? String)))
    #expect(Array(patch) == outcome.patch)
    #expect(response["warnings"] == nil)
}

@Test func patchAppendsToPresentArraysAndAddsAbsentOnesWhole() throws {
    let pod = #"{"metadata":{"name":"a","namespace":"default","annotations":{"x":"y"}},"spec":{"serviceAccountName":"app-sa","containers":[{"name":"a","image":"i","env":[{"name":"X","value":"1"}]}],"volumes":[{"name":"v","emptyDir":{}}]}}"#
    #expect(try operations(try admit(pod)) == [
        ["add", "/spec/containers/0/env/-"], ["add", "/spec/containers/0/env/-"],
        ["add", "/spec/containers/0/env/-"], ["add", "/spec/containers/0/env/-"],
        ["add", "/spec/containers/0/volumeMounts"],
        ["add", "/spec/volumes/-"],
        ["add", "/metadata/annotations/azure.workload.identity~1injected"],
    ])
}

@Test func absentNamespaceAndMetadataAreAdded() throws {
    let noNamespace = #"{"metadata":{"name":"a"},"spec":{"serviceAccountName":"app-sa","containers":[]}}"#
    #expect(try operations(try admit(noNamespace)).first == ["add", "/metadata/namespace"])
    let noMetadata = #"{"spec":{"serviceAccountName":"app-sa","containers":[]}}"#
    let ops = try operations(try admit(noMetadata))
    #expect(ops.first == ["add", "/metadata"])
    #expect(ops.last == ["add", "/metadata/annotations"])
}

@Test func prependedProxyShiftsTheIndicesOfExistingContainers() throws {
    let pod = #"{"metadata":{"name":"a","namespace":"default","annotations":{"azure.workload.identity/inject-proxy-sidecar":"true"}},"spec":{"serviceAccountName":"app-sa","initContainers":[{"name":"i","image":"i"}],"containers":[{"name":"a","image":"i"}]}}"#
    let classic = try operations(try admit(pod))
    #expect(classic.prefix(2) == [["add", "/spec/initContainers/-"], ["add", "/spec/containers/0"]])
    #expect(classic.contains(["add", "/spec/initContainers/0/env"]))
    #expect(classic.contains(["add", "/spec/containers/1/env"]))

    let sidecar = try operations(try admit(pod, nativeSidecars: true))
    #expect(sidecar.prefix(2) == [["add", "/spec/initContainers/0"], ["add", "/spec/initContainers/-"]])
    #expect(sidecar.contains(["add", "/spec/initContainers/1/env"]))
    #expect(sidecar.contains(["add", "/spec/containers/0/env"]))
}

@Test func deniedResponseHasStatus400AndNoPatch() throws {
    let outcome = try admit(simplePod, account: nil)
    #expect(outcome.decision == .denied(reason: "service-account-not-found", message: #"serviceaccounts "app-sa" not found"#))
    #expect(outcome.patch == nil)
    let response = try unwrap((try json(outcome.responseBody) as? [String: Any])?["response"] as? [String: Any])
    #expect(response["allowed"] as? Bool == false)
    let status = try unwrap(response["status"] as? [String: Any])
    #expect(status["code"] as? Int == 400)
    #expect(status["message"] as? String == #"serviceaccounts "app-sa" not found"#)
    #expect(response["patch"] == nil && response["patchType"] == nil)
}

@Test func unchangedDecisionsSayWhy() throws {
    let update = Admitter(config: config).admit(try AdmissionRequest.read(reviewBytes(simplePod, operation: "UPDATE")), serviceAccount: nil, nativeSidecars: false)
    #expect(update.decision == .unchanged(reason: "not-a-pod-create"))
    #expect(update.patch == nil)
    let response = try unwrap((try json(update.responseBody) as? [String: Any])?["response"] as? [String: Any])
    #expect(Set(response.keys) == ["uid", "allowed"])

    var labelled = config
    labelled.requireLabel = true
    #expect(try admit(simplePod, config: labelled).decision == .unchanged(reason: "not-labelled"))
    let mirror = #"{"metadata":{"annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"containers":[]}}"#
    #expect(try admit(mirror, account: nil).decision == .unchanged(reason: "mirror-pod"))
}

@Test func invalidPodShapesAreDeniedWithTheirPath() throws {
    let outcome = try admit(#"{"spec":{"containers":[{"name":"a","env":{"A":"1"}}]}}"#, account: nil)
    #expect(outcome.decision == .denied(reason: "invalid-pod", message: "invalid pod: a container's env must be an array"))
    #expect(try admit(#"{"metadata":{"name":"a"}}"#).decision == .denied(reason: "invalid-pod", message: "invalid pod: the pod has no spec"))
}

@Test func warningsAreClippedTo120Characters() throws {
    let longName = String(repeating: "n", count: 200)
    let outcome = Admitter(config: config).admit(
        try AdmissionRequest.read(reviewBytes(#"{"metadata":{"name":"a"},"spec":{"serviceAccountName":"\#(longName)","containers":[]}}"#)),
        serviceAccount: ServiceAccountFacts(namespace: "default", name: longName, annotations: [:]), nativeSidecars: false)
    #expect(outcome.warnings.count == 1)
    #expect(outcome.warnings[0].count == 120)
    #expect(outcome.warnings[0].hasPrefix("AZURE_CLIENT_ID not injected: ServiceAccount default/nnn"))
    #expect(outcome.warnings[0].hasSuffix("..."))
}

@Test func secondPassOverThePatchedFixtureIsUnchanged() throws {
    let review = try fixture("deployment-pod-review.json")
    let facts = ServiceAccountFacts(namespace: "shop", name: "orders-api", annotations: ["azure.workload.identity/client-id": client])
    let first = Admitter(config: config).admit(try AdmissionRequest.read(review), serviceAccount: facts, nativeSidecars: false)
    #expect(first.decision == .mutated)
    // Apply the patch with Foundation objects (a tiny RFC 6902 add/replace) and admit again.
    var document = try unwrap(try json(review) as? [String: Any])
    var request = try unwrap(document["request"] as? [String: Any])
    var pod: Any = request["object"]!
    for op in try unwrap(try json(try unwrap(first.patch)) as? [[String: Any]]) {
        let tokens = (op["path"] as! String).split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
        pod = apply(op["op"] as! String, tokens[...], op["value"]!, to: pod)
    }
    request["object"] = pod
    document["request"] = request
    let again = try JSONSerialization.data(withJSONObject: document)
    let second = Admitter(config: config).admit(try AdmissionRequest.read(Array(again)), serviceAccount: facts, nativeSidecars: false)
    #expect(second.decision == .unchanged(reason: "already-mutated"))
    #expect(second.patch == nil)
}

private func apply(_ op: String, _ tokens: ArraySlice<String>, _ value: Any, to node: Any) -> Any {
    guard let token = tokens.first else { return value }
    let rest = tokens.dropFirst()
    if var array = node as? [Any] {
        if rest.isEmpty, token == "-" { array.append(value); return array }
        let index = Int(token)!
        if rest.isEmpty, op == "add" { array.insert(value, at: index); return array }
        array[index] = apply(op, rest, value, to: array[index])
        return array
    }
    var object = node as! [String: Any]
    object[token] = rest.isEmpty ? value : apply(op, rest, value, to: object[token]!)
    return object
}

private struct Missing: Error {}

/// The value, or a thrown error that fails the test (like `#require`, which cannot nest).
private func unwrap<T>(_ value: T?) throws -> T {
    guard let value else { throw Missing() }
    return value
}

@Test func requireLabelSparesTheServiceAccountLookupForUnlabelledPods() throws {
    var labelled = config
    labelled.requireLabel = true
    let unlabelled = try AdmissionRequest.read(reviewBytes(simplePod))
    #expect(Admitter(config: config).needsServiceAccount(unlabelled))
    #expect(!Admitter(config: labelled).needsServiceAccount(unlabelled))
    let pod = #"{"metadata":{"name":"a","labels":{"azure.workload.identity/use":"true"}},"spec":{"containers":[]}}"#
    #expect(Admitter(config: labelled).needsServiceAccount(try AdmissionRequest.read(reviewBytes(pod))))
}
