// Loads every ServiceAccount of an API server into the cache and reports the initial LIST time
// and the process RSS. Run it through scripts/bench-serviceaccount-cache, which starts the
// stand-in with 50,000 ServiceAccounts; by hand:
//   serviceaccount-cache-benchmark --port PORT --ca CA.pem [--token TOKEN] [--host 127.0.0.1] [--page-size 500]
import KubeClient
import Logging
#if canImport(Glibc)
import Glibc
#endif

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func fail(_ message: String) -> Never {
    print("serviceaccount-cache-benchmark: \(message)")
    exit(1)
}

/// One decimal place.
func mib(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) MiB"
}

/// A field of /proc/self/status in MiB ("VmRSS", "VmHWM").
func memoryMiB(_ field: String) -> Double {
    guard let file = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix(field + ":") {
            let kilobytes = Double(text.split(separator: " ").dropFirst().first ?? "") ?? -1
            return kilobytes / 1024
        }
    }
    return -1
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "r") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { return bytes }
        bytes.append(contentsOf: buffer[0..<count])
    }
}

guard let portText = option("--port"), let port = Int(portText), let caPath = option("--ca") else {
    fail("usage: serviceaccount-cache-benchmark --port PORT --ca CA.pem [--token TOKEN] [--host HOST]")
}
let connection = KubeConnection(
    host: option("--host") ?? "127.0.0.1", port: port, trustedCAPEM: readFile(caPath),
    credential: option("--token").map { .token($0) }, origin: "benchmark"
)
var logger = Logger(label: "serviceaccount-cache-benchmark")
logger.logLevel = .warning
let idleRSS = memoryMiB("VmRSS")
let idleAnon = memoryMiB("RssAnon")
let client: KubeAPIClient
do {
    client = try KubeAPIClient(connection: connection, userAgent: "azwi-webhook-benchmark/0", logger: logger)
} catch {
    fail("\(error)")
}
var configuration = ListWatchConfiguration()
if let pageSize = option("--page-size").flatMap(Int.init) { configuration.pageSize = pageSize }
let cache = ServiceAccountCache(client: client, logger: logger, configuration: configuration)
let started = ContinuousClock.now
do { try cache.start() } catch { fail("\(error)") }
while !cache.isSynced {
    if ContinuousClock.now - started > .seconds(300) { fail("not synced after 300 s") }
    usleep(2_000)
}
let listTime = ContinuousClock.now - started
let syncedRSS = memoryMiB("VmRSS")
usleep(1_000_000)  // let the first watch start and the list pages be freed
print("serviceaccounts cached: \(cache.count)")
print("initial LIST (all pages, decoded, stored): \(listTime)")
print("RSS before start: \(mib(idleRSS))")
print("RSS when synced: \(mib(syncedRSS))")
print("RSS 1 s later: \(mib(memoryMiB("VmRSS"))), peak (VmHWM): \(mib(memoryMiB("VmHWM")))")
print("of which anonymous (heap, stacks): \(mib(memoryMiB("RssAnon"))) (before start: \(mib(idleAnon))), mapped files (code): \(mib(memoryMiB("RssFile")))")
cache.stop()
