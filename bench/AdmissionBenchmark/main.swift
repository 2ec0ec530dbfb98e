// Measures the admission logic alone (read + admit) on a realistic AdmissionReview: the pod a
// Deployment creates (Tests/Fixtures/admission/deployment-pod-review.json), and the same pod
// opted in to an identity binding (…-identity-binding.json) admitted by a webhook with the
// feature on (a ClusterTrustBundle CA with a label selector: the largest volume it writes).
//
// Run with `swift run -c release admission-benchmark [review.json] [runs]`.
import Admission
import Glibc

let arguments = CommandLine.arguments
let path = arguments.count > 1 ? arguments[1] : "Tests/Fixtures/admission/deployment-pod-review.json"
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
let warmUp = 2_000

func fail(_ message: String) -> Never {
    let bytes = Array(message.utf8)
    _ = write(2, bytes, bytes.count)
    exit(2)
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        fail("cannot open \(path) (run from the package root)\n")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return bytes
}

func nanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

let body = readFile(path)
let boundBody = readFile(String(path.dropLast(".json".count)) + "-identity-binding.json")
let admitter = Admitter(config: AdmissionConfig(tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
                                                authorityHost: "https://login.microsoftonline.com/"))
let binding: CustomTokenEndpoint?
do {
    binding = try CustomTokenEndpoint.resolve(
        annotationSuffix: "identity-binding", audience: "api://AKSIdentityBinding",
        environment: [
            "AZURE_KUBERNETES_TOKEN_PROXY": "https://aks-token-proxy.kube-system.svc",
            "AZURE_KUBERNETES_SNI_NAME": "token-proxy.aks.local",
            "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME": "contoso.com/token-proxy",
            "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR": #"{"matchLabels":{"app":"token-proxy"}}"#,
        ])
} catch {
    fail("identity binding configuration: \(error.message)\n")
}
let boundAdmitter = Admitter(config: AdmissionConfig(tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
                                                     authorityHost: "https://login.microsoftonline.com/",
                                                     customTokenEndpoint: binding))
let account = ServiceAccountFacts(namespace: "shop", name: "orders-api", annotations: [
    "azure.workload.identity/client-id": "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c",
])

@inline(never)
func admitOnce(_ body: [UInt8], _ admitter: Admitter) -> Int {
    guard let request = try? AdmissionRequest.read(body) else {
        fail("the review cannot be read\n")
    }
    let outcome = admitter.admit(request, serviceAccount: account, nativeSidecars: false)
    guard case .mutated = outcome.decision else {
        fail("expected a mutation, got \(outcome.decision)\n")
    }
    return outcome.responseBody.count
}

@inline(never)
func readOnce() -> Int {
    guard let request = try? AdmissionRequest.read(body) else { fail("the review cannot be read\n") }
    return request.uid.utf8.count
}

/// The durations of `runs` timed calls of `body`, in nanoseconds, sorted, and the sum of the
/// results (printed, so the calls cannot be optimised away).
func measure(_ body: () -> Int) -> (samples: [UInt64], sink: Int) {
    var samples: [UInt64] = []
    samples.reserveCapacity(runs)
    var sink = 0
    for _ in 0..<runs {
        let start = nanoseconds()
        sink &+= body()
        samples.append(nanoseconds() - start)
    }
    return (samples.sorted(), sink)
}

var warmUpSink = 0
for _ in 0..<warmUp { warmUpSink &+= admitOnce(body, admitter) &+ admitOnce(boundBody, boundAdmitter) }
guard String(decoding: boundAdmitter.admit(try! AdmissionRequest.read(boundBody), serviceAccount: account, nativeSidecars: false).patch ?? [],
             as: UTF8.self).contains("clusterTrustBundle") else { fail("the opted-in pod got no identity binding\n") }

let (samples, admitSink) = measure { admitOnce(body, admitter) }
let (boundSamples, boundSink) = measure { admitOnce(boundBody, boundAdmitter) }
let (readSamples, readSink) = measure(readOnce)

func micros(_ quantile: Double, of samples: [UInt64]) -> String {
    let value = Double(samples[min(samples.count - 1, Int(Double(samples.count) * quantile))]) / 1000
    return String(Int(value * 10) / 10) + "." + String(Int(value * 10) % 10)
}

print("admission benchmark: \(path) (\(body.count) bytes), \(runs) runs after \(warmUp) warm-up")
print("| metric | value |")
print("|---|---|")
print("| median µs per admission (read + admit) | \(micros(0.5, of: samples)) |")
print("| p99 µs per admission | \(micros(0.99, of: samples)) |")
print("| median µs per admission opted in to an identity binding | \(micros(0.5, of: boundSamples)) |")
print("| p99 µs, identity binding | \(micros(0.99, of: boundSamples)) |")
print("| median µs, read only | \(micros(0.5, of: readSamples)) |")
print("| p99 µs, read only | \(micros(0.99, of: readSamples)) |")
print("(checksum \(warmUpSink &+ admitSink &+ boundSink &+ readSink))")
