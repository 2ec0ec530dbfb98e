import Testing
@testable import Admission

@Test func tokenExpirationPrefersANonEmptyPodValueThenTheServiceAccount() {
    #expect(AnnotationRules.tokenExpiration(pod: nil, serviceAccount: nil) == .success(3600))
    #expect(AnnotationRules.tokenExpiration(pod: "", serviceAccount: "7200") == .success(7200))
    #expect(AnnotationRules.tokenExpiration(pod: "86400", serviceAccount: "7200") == .success(86400))
    #expect(AnnotationRules.tokenExpiration(pod: "+3600", serviceAccount: nil) == .success(3600))
}

@Test func tokenExpirationOutsideTheRangeOrNotAnIntegerIsDenied() {
    let range = " not valid. Expected value to be between 3600 and 86400"
    #expect(AnnotationRules.tokenExpiration(pod: "3599", serviceAccount: nil)
        == .failure(Denial(reason: "invalid-token-expiration", message: "token expiration 3599" + range)))
    #expect(AnnotationRules.tokenExpiration(pod: "99999999999999999999", serviceAccount: nil)
        == .failure(Denial(reason: "invalid-token-expiration", message: "token expiration 99999999999999999999" + range)))
    #expect(AnnotationRules.tokenExpiration(pod: " 3600", serviceAccount: nil) == .failure(Denial(
        reason: "invalid-token-expiration", message: "token expiration \" 3600\" not valid. Expected an integer between 3600 and 86400")))
}

@Test func proxyAnnotationsAreParsedStrictly() {
    #expect(AnnotationRules.injectProxySidecar(nil) == .success(false))
    #expect(AnnotationRules.injectProxySidecar("TRUE") == .success(true))
    #expect(AnnotationRules.injectProxySidecar("false") == .success(false))
    #expect((try? AnnotationRules.injectProxySidecar("1").get()) == nil)
    #expect(AnnotationRules.proxyPort(nil) == .success(8000))
    #expect(AnnotationRules.proxyPort("65535") == .success(65535))
    #expect((try? AnnotationRules.proxyPort("8000.0").get()) == nil)
}

@Test func containerListsAreSplitOnSemicolonsAndTrimmed() {
    #expect(AnnotationRules.containerNames(" a ;b;; \tc\t;") == ["a", "b", "c"])
    #expect(AnnotationRules.containerNames("") == [])
}

@Test func injectionRecordRoundTripsAndIgnoresGarbage() {
    let record = InjectionRecord(serviceAccount: "sa \"quoted\"", clientID: "c", tenantID: "")
    #expect(record.json() == #"{"serviceAccount":"sa \"quoted\"","clientID":"c","tenantID":""}"#)
    #expect(InjectionRecord.parse(record.json()) == record)
    #expect(InjectionRecord.parse("not json") == nil)
    #expect(InjectionRecord.parse(#"{"clientID":7}"#) == nil)
    #expect(InjectionRecord.parse(nil) == nil)
}
