import Logging

/// The list-then-watch loop that keeps a ``ReflectorStore`` in step with one collection of the
/// API server, one ``step()`` at a time so tests can drive it with a scripted transport.
///
/// LIST the collection in pages, then WATCH from the list's resourceVersion with bookmarks;
/// apply events; on 410 (HTTP or an `ERROR` event) list again; on any other failure resume from
/// the last resourceVersion after a jittered, capped backoff. It never gives up. Resuming from
/// the last resourceVersion after a dropped watch replays every change since; a re-list after a
/// 410 replaces the whole store: either way no object is missed.
final class Reflector<Store: ReflectorStore> {
    /// What one step did, for logs and tests.
    enum Outcome: Equatable {
        case listed(count: Int, resourceVersion: String)
        case listFailed(String)
        /// The watch ended; `reason` is timeout, closed, expired, error, decode, http_<code>, or
        /// stopped (the loop's owner asked it to end; not counted as a restart).
        case watchEnded(reason: String, events: Int)
    }

    private let transport: any KubeTransport
    private let collection: ReflectorCollection
    private let store: Store
    private let configuration: ListWatchConfiguration
    private let logger: Logger
    private let metrics: KubeMetrics
    private let sleep: (Duration) -> Void
    private let random: () -> Double
    private let isStopping: () -> Bool
    private var backoff: Backoff
    /// Where the next watch resumes; `nil` means a LIST is needed first.
    private(set) var resourceVersion: String?

    init(
        transport: any KubeTransport, collection: ReflectorCollection = .serviceAccounts, store: Store,
        configuration: ListWatchConfiguration, logger: Logger, metrics: KubeMetrics = KubeMetrics(), sleep: @escaping (Duration) -> Void, random: @escaping () -> Double = { Double.random(in: 0..<1) },
        isStopping: @escaping () -> Bool = { false }
    ) {
        self.transport = transport
        self.collection = collection
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.sleep = sleep
        self.random = random
        self.isStopping = isStopping
        backoff = configuration.backoff
    }

    /// Lists when no resourceVersion is known, otherwise watches once; sleeps its backoff after a failure.
    @discardableResult
    func step() -> Outcome {
        resourceVersion == nil ? list() : watch()
    }

    private func pause() {
        sleep(backoff.next(jitter: random()))
    }

    private func list() -> Outcome {
        var listing: Store.Listing?
        var count = 0
        var next: String?
        var listVersion = ""
        repeat {
            var target = "\(collection.path)?limit=\(configuration.pageSize)"
            if let selector = collection.labelSelector { target += "&labelSelector=\(KubePath.escape(selector))" }
            if let next { target += "&continue=\(KubePath.escape(next))" }
            let page: ListPage<Store.Object>
            do throws(KubeClientError) {
                let response = try transport.get(target, deadline: .now + configuration.requestTimeout)
                guard response.status == 200 else {
                    throw .status(code: response.status, message: response.message)
                }
                page = try KubeJSON.decode(ListPage<Store.Object>.self, response.body, what: "\(collection.noun) list")
            } catch {
                logger.warning("listing \(collection.noun) failed; retrying", metadata: ["error": "\(error)"])
                pause()
                return .listFailed("\(error)")
            }
            if listing == nil {
                listing = store.makeListing(capacity: (page.items?.count ?? 0) + (page.metadata.remainingItemCount ?? 0))
            }
            for item in page.items ?? [] {
                guard let metadata = item.metadata, let key = store.key(for: metadata),
                      let entry = store.entry(for: item.object, metadata: metadata) else { continue }
                store.add(entry, for: key, to: &listing!)
                count += 1
            }
            listVersion = page.metadata.resourceVersion ?? listVersion
            next = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while next != nil
        guard !listVersion.isEmpty else {
            logger.warning("the \(collection.noun) list has no resourceVersion; retrying")
            pause()
            return .listFailed("list without resourceVersion")
        }
        store.replaceAll(listing ?? store.makeListing(capacity: 0))
        metrics.listed(collection.metrics)
        resourceVersion = listVersion
        backoff.reset()
        logger.info("listed \(collection.noun)", metadata: ["count": "\(count)", "resourceVersion": "\(listVersion)"])
        return .listed(count: count, resourceVersion: listVersion)
    }

    private func watch() -> Outcome {
        let timeout = Int.random(in: configuration.watchTimeoutSeconds)
        var target = "\(collection.path)?watch=1&allowWatchBookmarks=true&resourceVersion=\(KubePath.escape(resourceVersion ?? ""))&timeoutSeconds=\(timeout)"
        if let selector = collection.labelSelector { target += "&labelSelector=\(KubePath.escape(selector))" }
        let started = ContinuousClock.now
        var events = 0
        var stopReason: String?
        let end: KubeWatchEnd
        do throws(KubeClientError) {
            end = try transport.watch(target, deadline: .now + .seconds(timeout) + configuration.watchSlack) { line in
                if isStopping() {
                    stopReason = "stopped"
                    return false
                }
                let event: WatchEvent<Store.Object>
                var key: Store.Key?
                do throws(KubeClientError) {
                    event = try WatchEvent<Store.Object>.decode(line)
                    switch event {
                    case let .upsert(metadata, _), let .delete(metadata, _):
                        key = store.key(for: metadata)
                        if key == nil { throw .decoding("a watch event's object lacks what its key needs: \(metadata)") }
                    case .bookmark, .error:
                        break
                    }
                } catch {
                    logger.warning("undecodable watch event; resuming the watch", metadata: ["error": "\(error)"])
                    stopReason = "decode"
                    return false
                }
                events += 1
                switch event {
                case let .upsert(metadata, object):
                    if let key {
                        if let entry = store.entry(for: object, metadata: metadata) {
                            store.upsert(entry, for: key)
                        } else {
                            store.delete(key, metadata: metadata)
                        }
                    }
                    resourceVersion = metadata.resourceVersion
                case let .delete(metadata, _):
                    if let key { store.delete(key, metadata: metadata) }
                    resourceVersion = metadata.resourceVersion
                case let .bookmark(version):
                    resourceVersion = version
                case let .error(code, message):
                    stopReason = code == 410 ? "expired" : "error"
                    logger.info("watch ERROR event", metadata: ["code": "\(code.map(String.init) ?? "-")", "message": "\(message)"])
                    return false
                }
                return true
            }
        } catch {
            logger.warning("\(collection.noun) watch failed; resuming", metadata: ["error": "\(error)", "resourceVersion": "\(resourceVersion ?? "")"])
            return restart(reason: "error", events: events, failed: true)
        }
        switch end {
        case .ended:
            // A stream that ends at once with nothing in it is a failing server, not a timeout.
            let quick = events == 0 && ContinuousClock.now - started < .seconds(1)
            return restart(reason: quick ? "closed" : "timeout", events: events, failed: quick)
        case .stopped where stopReason == "stopped":
            return .watchEnded(reason: "stopped", events: events)
        case .stopped:
            return restart(reason: stopReason ?? "error", events: events, failed: stopReason != "expired")
        case let .refused(response):
            if response.status == 410 { return restart(reason: "expired", events: events, failed: false) }
            logger.warning("\(collection.noun) watch refused", metadata: ["status": "\(response.status)", "message": "\(response.message)"])
            return restart(reason: "http_\(response.status)", events: events, failed: true)
        }
    }

    private func restart(reason: String, events: Int, failed: Bool) -> Outcome {
        metrics.watchRestarted(reason: reason, collection.metrics)
        if reason == "expired" {
            logger.info("resourceVersion expired; listing \(collection.noun) again")
            resourceVersion = nil
        }
        if events > 0 { backoff.reset() }  // the watch was healthy: start the backoff over
        if failed {
            pause()
        } else {
            backoff.reset()
        }
        return .watchEnded(reason: reason, events: events)
    }
}
