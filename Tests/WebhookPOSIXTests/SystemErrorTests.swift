import Testing
import WebhookPOSIX
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemErrorTests {
    @Test func aFailedCallNamesTheCallAndErrno() {
        let error = SystemError.failed("bind(127.0.0.1:80)", errno: EADDRINUSE)
        #expect(error == .failed(operation: "bind(127.0.0.1:80)", errno: EADDRINUSE, message: String(cString: strerror(EADDRINUSE))))
        #expect(error.description == "bind(127.0.0.1:80) failed: \(String(cString: strerror(EADDRINUSE))) (errno \(EADDRINUSE))")
    }

    @Test func aFileThatDoesNotExistFailsAtOpen() {
        #expect(throws: SystemError.failed("open(/nonexistent/tls.crt)", errno: ENOENT)) {
            try FileBytes.read("/nonexistent/tls.crt")
        }
    }

    @Test func aStreamErrorReadsLikeTheFailureItCarries() {
        #expect(StreamError.system(.timedOut(operation: "read")).description == "read timed out")
        #expect(StreamError.protocolFailure(operation: "SSL_read_ex", message: "bad record").description == "SSL_read_ex failed: bad record")
    }
}
