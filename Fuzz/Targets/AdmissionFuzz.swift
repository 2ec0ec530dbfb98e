// Compiled in one module with Sources/Admission (see scripts/fuzz), so no import is needed.

/// Fuzzes the AdmissionReview reader and the patch builder: arbitrary bytes are read as a
/// request and admitted with a fixed ServiceAccount and config. Whatever the bytes, reading
/// either throws or yields a request whose response is valid JSON, and any patch is a JSON array.
private let admitter = Admitter(config: AdmissionConfig(
    tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    authorityHost: "https://login.microsoftonline.com/",
    nativeSidecars: true
))

private let serviceAccount = ServiceAccountFacts(namespace: "default", name: "app-sa", annotations: [
    "azure.workload.identity/client-id": "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c",
    "azure.workload.identity/service-account-token-expiration": "3600",
])

@_cdecl("LLVMFuzzerTestOneInput")
public func admissionFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let request: AdmissionRequest
    do {
        request = try AdmissionRequest.read(body)
    } catch {
        require(!error.message.isEmpty, "a read error without a message")
        return 0
    }
    _ = admitter.needsServiceAccount(request)
    for account in [serviceAccount, nil] {
        let outcome = admitter.admit(request, serviceAccount: account)
        require(JSONValidity.isValid(outcome.responseBody), "response is not JSON: \(String(decoding: outcome.responseBody, as: UTF8.self))")
        if let patch = outcome.patch {
            require(JSONValidity.firstSignificantByte(patch) == UInt8(ascii: "["), "patch is not an array")
            require(JSONValidity.isValid(patch), "patch is not JSON: \(String(decoding: patch, as: UTF8.self))")
            require(outcome.decision == .mutated, "a patch without a mutated decision")
        }
    }
    return 0
}
