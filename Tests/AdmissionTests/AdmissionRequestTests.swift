import Admission
import Testing

/// A v1 (or other) AdmissionReview of `object`, as bytes.
func reviewBytes(
    _ object: String,
    apiVersion: String = "admission.k8s.io/v1",
    operation: String = "CREATE",
    resource: String = #"{"group":"","version":"v1","resource":"pods"}"#,
    namespace: String = "default",
    extra: String = ""
) -> [UInt8] {
    Array(#"{"apiVersion":"\#(apiVersion)","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":\#(resource),"namespace":"\#(namespace)","operation":"\#(operation)",\#(extra)"object":\#(object)}}"#.utf8)
}

let simplePod = #"{"metadata":{"name":"app","namespace":"default"},"spec":{"serviceAccountName":"app-sa","containers":[{"name":"app","image":"nginx"}]}}"#

@Test func readsTheEnvelopeAndThePodFacts() throws {
    let request = try AdmissionRequest.read(reviewBytes(simplePod, namespace: "team-a"))
    #expect(request.apiVersion == "admission.k8s.io/v1")
    #expect(request.uid == "u-1")
    #expect(request.namespace == "team-a")
    #expect(request.podName == "app")
    #expect(request.serviceAccountName == "app-sa")
    #expect(needsServiceAccount(request))
}

@Test func readsV1beta1AndDefaultsTheServiceAccount() throws {
    let pod = #"{"metadata":{"generateName":"web-"},"spec":{"serviceAccountName":"","containers":[]}}"#
    let request = try AdmissionRequest.read(reviewBytes(pod, apiVersion: "admission.k8s.io/v1beta1"))
    #expect(request.apiVersion == "admission.k8s.io/v1beta1")
    #expect(request.podName == "web-")
    #expect(request.serviceAccountName == "default")
}

@Test func membersMayComeInAnyOrder() throws {
    let body = #"{"request":{"object":\#(simplePod),"operation":"CREATE","namespace":"ns","kind":{"kind":"Pod"},"uid":"x"},"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}"#
    let request = try AdmissionRequest.read(Array(body.utf8))
    #expect(request.uid == "x" && request.namespace == "ns" && needsServiceAccount(request))
}

@Test func otherOperationsAndResourcesNeedNoServiceAccount() throws {
    #expect(try !needsServiceAccount(AdmissionRequest.read(reviewBytes(simplePod, operation: "UPDATE"))))
    #expect(try !needsServiceAccount(AdmissionRequest.read(reviewBytes(simplePod, resource: #"{"group":"apps","version":"v1","resource":"deployments"}"#))))
    #expect(try !needsServiceAccount(AdmissionRequest.read(reviewBytes(simplePod, extra: #""subResource":"status","#))))
    let mirror = #"{"metadata":{"name":"m","annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"containers":[]}}"#
    #expect(try !needsServiceAccount(AdmissionRequest.read(reviewBytes(mirror))))
}

@Test(arguments: [
    ("", "invalid JSON: unexpected end of input at byte 0"),
    ("<html>", "invalid JSON: the AdmissionReview must be an object at byte 0"),
    ("{\"apiVersion\":", "invalid JSON: unexpected end of input at byte 14"),
    ("[]", "invalid JSON: the AdmissionReview must be an object at byte 0"),
    (#"{"kind":"AdmissionReview"}"#, "not an AdmissionReview: no apiVersion"),
    (#"{"apiVersion":"v1","kind":"Pod"}"#, "unsupported apiVersion \"v1\": expected admission.k8s.io/v1 or v1beta1"),
    (#"{"apiVersion":"admission.k8s.io/v1","kind":"Pod"}"#, "not an AdmissionReview: kind is \"Pod\""),
    (#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#, "not an AdmissionReview request: no request"),
    (#"{"apiVersion":"admission.k8s.io/v1","request":{"operation":"CREATE"}}"#, "not an AdmissionReview request: no request.uid"),
    (#"{"apiVersion":"admission.k8s.io/v1","request":{"uid":""}}"#, "not an AdmissionReview request: no request.uid"),
    (#"{"apiVersion":"admission.k8s.io/v1","request":{"uid":7}}"#, "invalid JSON: request.uid must be a string at byte 53"),
])
func bodiesThatAreNotAnAdmissionReviewAreReadErrors(_ body: String, _ message: String) {
    #expect(throws: AdmissionReadError(message: message)) { try AdmissionRequest.read(Array(body.utf8)) }
}

@Test func truncatedAndNonUTF8BodiesAreReadErrorsNotCrashes() throws {
    let body = reviewBytes(simplePod)
    for length in stride(from: 0, to: body.count - 1, by: 7) {
        #expect(throws: AdmissionReadError.self) { try AdmissionRequest.read(Array(body[..<length])) }
    }
    var invalid = body
    invalid[invalid.firstIndex(of: UInt8(ascii: "n"))!] = 0xFF
    #expect(throws: AdmissionReadError.self) { try AdmissionRequest.read(invalid) }
}

@Test func deeplyNestedPodFieldsAreRefusedWithoutCrashing() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    let pod = #"{"metadata":{"name":"a"},"spec":{"containers":[{"name":"a","future":\#(deep)}]}}"#
    #expect(throws: AdmissionReadError.self) { try AdmissionRequest.read(reviewBytes(pod)) }
}

@Test func wrongShapesAreReadButNeedNoServiceAccount() throws {
    for pod in [
        #"{"spec":{"containers":{"name":"app"}}}"#,
        #"{"spec":{"containers":[{"name":"app","env":"A=1"}]}}"#,
        #"{"metadata":{"annotations":{"a":1}},"spec":{"containers":[]}}"#,
        #"{"spec":{"containers":[{"name":"app","volumeMounts":[{"name":"x","readOnly":"yes"}]}]}}"#,
        #"{"spec":{"hostNetwork":"true","containers":[]}}"#,
        #"{"spec":{"containers":[],"volumes":[{"name":"azure-identity-token","projected":{"defaultMode":true}}]}}"#,
        #"{"spec":{"containers":[],"volumes":[{"name":"v","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":"3600"}}]}}]}}"#,
        #""a string""#,
    ] {
        let request = try AdmissionRequest.read(reviewBytes(pod))
        #expect(!needsServiceAccount(request), "\(pod)")
    }
}

/// Whether the server looks up the request's ServiceAccount, with the default configuration.
private func needsServiceAccount(_ request: AdmissionRequest) -> Bool {
    Admitter(config: AdmissionConfig(tenantID: "t", authorityHost: "https://login.microsoftonline.com/")).needsServiceAccount(request)
}
