import Logging

/// The list-then-watch loop that keeps a ``ServiceAccountStore`` in step with the API server,
/// one ``step()`` at a time so tests can drive it with a scripted transport.
///
/// LIST `/api/v1/serviceaccounts` in pages, then WATCH from the list's resourceVersion with
/// bookmarks; apply events; on 410 (HTTP or an `ERROR` event) list again; on any other failure
/// resume from the last resourceVersion after a jittered, capped backoff. It never gives up.
final class ServiceAccountReflector {
    /// What one step did, for logs and tests.
    enum Outcome: Equatable {
        case listed(count: Int, resourceVersion: String)
        case listFailed(String)
        /// The watch ended; `reason` is timeout, closed, expired, error, decode or http_<code>.
        case watchEnded(reason: String, events: Int)
    }

    private let transport: any KubeTransport
    private let store: ServiceAccountStore
    private let configuration: ServiceAccountCache.Configuration
    private let logger: Logger
    private let metrics: KubeMetrics
    private let sleep: (Duration) -> Void
    private let random: () -> Double
    private var backoff: Backoff
    /// Where the next watch resumes; `nil` means a LIST is needed first.
    private(set) var resourceVersion: String?

    init(
        transport: any KubeTransport, store: ServiceAccountStore, configuration: ServiceAccountCache.Configuration,
        logger: Logger, metrics: KubeMetrics = KubeMetrics(), sleep: @escaping (Duration) -> Void, random: @escaping () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.transport = transport
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.sleep = sleep
        self.random = random
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
        var entries = ServiceAccountTable()
        var next: String?
        var listVersion = ""
        repeat {
            var target = "/api/v1/serviceaccounts?limit=\(configuration.pageSize)"
            if let next { target += "&continue=\(KubePath.escape(next))" }
            let page: ServiceAccountWire.ListPage
            do throws(KubeClientError) {
                let response = try transport.get(target, deadline: .now + configuration.requestTimeout)
                guard response.status == 200 else {
                    throw .status(code: response.status, message: response.message)
                }
                page = try ServiceAccountWire.decode(ServiceAccountWire.ListPage.self, response.body, what: "ServiceAccount list")
            } catch {
                logger.warning("listing ServiceAccounts failed; retrying", metadata: ["error": "\(error)"])
                pause()
                return .listFailed("\(error)")
            }
            for item in page.items ?? [] {
                guard let metadata = item.metadata, let name = metadata.name, let namespace = metadata.namespace else { continue }
                entries.set(namespace: namespace, name: name, annotations: metadata.annotations ?? [:])
            }
            if next == nil, let remaining = page.metadata.remainingItemCount { entries.reserve(count: entries.count + min(remaining, 2_000_000)) }
            listVersion = page.metadata.resourceVersion ?? listVersion
            next = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while next != nil
        guard !listVersion.isEmpty else {
            logger.warning("the ServiceAccount list has no resourceVersion; retrying")
            pause()
            return .listFailed("list without resourceVersion")
        }
        let count = entries.count
        store.replaceAll(entries)
        metrics.listed()
        resourceVersion = listVersion
        backoff.reset()
        logger.info("listed ServiceAccounts", metadata: ["count": "\(count)", "resourceVersion": "\(listVersion)"])
        return .listed(count: count, resourceVersion: listVersion)
    }

    private func watch() -> Outcome {
        let timeout = Int.random(in: configuration.watchTimeoutSeconds)
        let target = "/api/v1/serviceaccounts?watch=1&allowWatchBookmarks=true&resourceVersion=\(KubePath.escape(resourceVersion ?? ""))&timeoutSeconds=\(timeout)"
        let started = ContinuousClock.now
        var events = 0
        var stopReason: String?
        let end: KubeWatchEnd
        do throws(KubeClientError) {
            end = try transport.watch(target, deadline: .now + .seconds(timeout) + configuration.watchSlack) { line in
                let event: ServiceAccountEvent
                do throws(KubeClientError) {
                    event = try ServiceAccountEvent.decode(line)
                } catch {
                    logger.warning("undecodable watch event; resuming the watch", metadata: ["error": "\(error)"])
                    stopReason = "decode"
                    return false
                }
                events += 1
                switch event {
                case let .upsert(info, version):
                    store.upsert(info, resourceVersion: version)
                    resourceVersion = version
                case let .delete(namespace, name, version):
                    store.delete(namespace: namespace, name: name, resourceVersion: version)
                    resourceVersion = version
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
            logger.warning("ServiceAccount watch failed; resuming", metadata: ["error": "\(error)", "resourceVersion": "\(resourceVersion ?? "")"])
            return restart(reason: "error", events: events, failed: true)
        }
        switch end {
        case .ended:
            // A stream that ends at once with nothing in it is a failing server, not a timeout.
            let quick = events == 0 && ContinuousClock.now - started < .seconds(1)
            return restart(reason: quick ? "closed" : "timeout", events: events, failed: quick)
        case .stopped:
            return restart(reason: stopReason ?? "error", events: events, failed: stopReason != "expired")
        case let .refused(response):
            if response.status == 410 { return restart(reason: "expired", events: events, failed: false) }
            logger.warning("ServiceAccount watch refused", metadata: ["status": "\(response.status)", "message": "\(response.message)"])
            return restart(reason: "http_\(response.status)", events: events, failed: true)
        }
    }

    private func restart(reason: String, events: Int, failed: Bool) -> Outcome {
        metrics.watchRestarted(reason: reason)
        if reason == "expired" {
            logger.info("resourceVersion expired; listing ServiceAccounts again")
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
