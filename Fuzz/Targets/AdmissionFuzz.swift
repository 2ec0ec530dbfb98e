// Compiled in one module with Sources/Admission (see scripts/fuzz), so no import is needed.

/// Fuzzes the AdmissionReview reader and the patch builder: arbitrary bytes are read as a
/// request and admitted with and without a ServiceAccount. Whatever the bytes, reading either
/// throws with a message or yields a request whose response is valid JSON; a patch comes only
/// with a `mutated` decision and is a valid JSON array. When the request itself is valid JSON,
/// the patch must apply to its pod (an independent RFC 6902 applier, `JSONTree`), and admitting
/// the patched request again must be allowed with no patch.
///
/// The input's length picks the configuration (even: native sidecars; odd: the pre-1.32 path
/// with `requireLabel`), so both are explored and every input reproduces.
private let admitters = [
    Admitter(config: AdmissionConfig(
        tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        authorityHost: "https://login.microsoftonline.com/"
    )),
    Admitter(config: AdmissionConfig(
        tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        authorityHost: "https://login.microsoftonline.com/",
        requireLabel: true
    )),
]

private let serviceAccount = ServiceAccountFacts(namespace: "default", name: "app-sa", annotations: [
    "azure.workload.identity/client-id": "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c",
    "azure.workload.identity/service-account-token-expiration": "3600",
])

@_cdecl("LLVMFuzzerTestOneInput")
public func admissionFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let admitter = admitters[size % 2]
    let nativeSidecars = size % 2 == 0
    let request: AdmissionRequest
    do {
        request = try AdmissionRequest.read(body)
    } catch {
        require(!error.message.isEmpty, "a read error without a message")
        return 0
    }
    _ = admitter.needsServiceAccount(request)
    require(checkedPatch(admitter.admit(request, serviceAccount: nil, nativeSidecars: nativeSidecars)) == nil, "a patch for a missing ServiceAccount")
    guard let patch = checkedPatch(admitter.admit(request, serviceAccount: serviceAccount, nativeSidecars: nativeSidecars)) else { return 0 }
    checkIdempotent(body, patch: patch, admitter: admitter, nativeSidecars: nativeSidecars)
    return 0
}

/// Checks an outcome's response and patch, and returns the patch.
private func checkedPatch(_ outcome: AdmissionOutcome) -> [UInt8]? {
    require(JSONValidity.isValid(outcome.responseBody), "response is not JSON: \(String(decoding: outcome.responseBody, as: UTF8.self))")
    guard let patch = outcome.patch else {
        require(outcome.decision != .mutated, "mutated without a patch")
        return nil
    }
    require(outcome.decision == .mutated, "a patch without a mutated decision")
    require(JSONValidity.firstSignificantByte(patch) == UInt8(ascii: "["), "patch is not an array")
    require(JSONValidity.isValid(patch), "patch is not JSON: \(String(decoding: patch, as: UTF8.self))")
    return patch
}

/// Applies `patch` to the pod in `body` and admits the result again: it must need no patch.
///
/// Skipped for bodies the tree refuses (not strict JSON, duplicate keys, deep nesting): the API
/// server never sends those, and the reader's view of them is checked above.
private func checkIdempotent(_ body: [UInt8], patch: [UInt8], admitter: Admitter, nativeSidecars: Bool) {
    guard JSONValidity.isValid(body), case var .object(members) = JSONTree.parse(body),
          let requestIndex = members.firstIndex(where: { $0.key.elementsEqual("request".utf8) }),
          case var .object(requestMembers) = members[requestIndex].value,
          let podIndex = requestMembers.firstIndex(where: { $0.key.elementsEqual("object".utf8) })
    else { return }
    let patchText = String(decoding: patch, as: UTF8.self)
    guard let operations = JSONTree.parse(patch), let patched = requestMembers[podIndex].value.applying(operations) else {
        fatalError("invariant failed: the patch does not apply to the pod: \(patchText)")
    }
    requestMembers[podIndex].value = patched
    members[requestIndex].value = .object(requestMembers)
    var again: [UInt8] = []
    JSONTree.object(members).write(into: &again)
    let second: AdmissionOutcome
    do {
        second = admitter.admit(try AdmissionRequest.read(again), serviceAccount: serviceAccount, nativeSidecars: nativeSidecars)
    } catch {
        fatalError("invariant failed: the patched request is unreadable (\(error.message)) after \(patchText)")
    }
    require(second.patch == nil, "a second pass patched again: \(String(decoding: second.patch ?? [], as: UTF8.self)) after \(patchText)")
    if case .denied = second.decision { fatalError("invariant failed: the patched pod is denied: \(second.decision)") }
}
