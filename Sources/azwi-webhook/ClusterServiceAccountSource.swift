import Admission
import KubeClient

/// ServiceAccounts from the API server: the watch-based cache of `KubeClient`, with a live GET
/// on a miss, seen through the executable's `ServiceAccountSource`.
///
/// It is synced once the cache's first LIST is done and the cluster version is known, since
/// both decide what a pod gets.
struct ClusterServiceAccountSource: ServiceAccountSource {
    let cache: ServiceAccountCache
    let features: ClusterFeatures

    var isSynced: Bool { cache.isSynced && features.isKnown }

    func lookup(namespace: String, name: String, deadline: ContinuousClock.Instant) -> ServiceAccountLookup {
        switch cache.lookup(namespace: namespace, name: name, deadline: deadline) {
        case .found(let info):
            .found(ServiceAccountFacts(namespace: info.namespace, name: info.name, annotations: info.annotations))
        case .notFound:
            .notFound
        case .failed(let message):
            .failed(message)
        }
    }
}
