import Admission

/// Where the admission handler finds the ServiceAccount a pod names.
///
/// Two sources conform: the API server's watch-based cache (`ClusterServiceAccountSource`) and
/// local files (`StaticServiceAccountSource`, for `--service-accounts` and `--dev`). Lookups run on
/// connection threads, so they must be synchronous, thread-safe, and return by `deadline`.
protocol ServiceAccountSource: Sendable {
    /// Whether the source holds a complete view (a cache after its first list); `/readyz` waits for it.
    var isSynced: Bool { get }

    /// Finds the ServiceAccount `name` in `namespace`, giving up at `deadline`.
    func lookup(namespace: String, name: String, deadline: ContinuousClock.Instant) -> ServiceAccountLookup
}

/// The result of one ServiceAccount lookup.
enum ServiceAccountLookup: Sendable, Equatable {
    case found(ServiceAccountFacts)
    /// The ServiceAccount does not exist: admission denies the pod.
    case notFound
    /// The lookup could not be answered (API error, deadline passed); the message says why.
    case failed(String)
}
