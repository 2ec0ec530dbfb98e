import FoundationEssentials

/// The parts of a Kubernetes `Status` object (error responses, `ERROR` watch events) a client acts on.
struct KubeStatus: Decodable, Equatable {
    var code: Int?
    var reason: String?
    var message: String?

    static func decode(_ bytes: [UInt8]) throws -> KubeStatus {
        try JSONDecoder().decode(KubeStatus.self, from: Data(bytes))
    }
}
