import KubeClient
import Logging
import PodRepair
import WebhookPOSIX

/// The leader's repair work for one leadership term, on a thread of its own: it lists and
/// watches the labelled pods into a ``RepairPodStore`` and judges them with a ``RepairPlanner``
/// — every pod after each complete LIST and every resync, a pod at each change, and a pod whose
/// eviction waits when it is due — then does what the plan says (log, Event, eviction, gauge).
///
/// The webhook configuration's selectors are read at the start and at every resync; when its
/// `objectSelector` changed, the pods are listed again so each is judged with the new one.
final class RepairWorker: Sendable {
    private let settings: RepairSettings
    private let transport: any KubeTransport
    private let isReady: @Sendable () -> Bool
    private let metrics: RepairMetrics
    private let logger: Logger
    private let queue = RepairQueue()
    private let store: RepairPodStore
    private let finished = LockedCondition(false)
    private let events: EventRecorder
    private let evictions: PodEvictionClient

    /// Pods per LIST page: a pod is kilobytes of JSON, and a page is held whole (the body, then
    /// its decoded pods) while it is read, so small pages keep the peak low; 10,000 pods are 100
    /// requests.
    static let pageSize = 100

    /// - Parameter isReady: whether this replica admits pods now (evictions wait until it does).
    init(settings: RepairSettings, transport: any KubeTransport, isReady: @escaping @Sendable () -> Bool, metrics: RepairMetrics, logger: Logger) {
        self.settings = settings
        self.transport = transport
        self.isReady = isReady
        self.metrics = metrics
        self.logger = logger
        store = RepairPodStore(queue: queue)
        events = EventRecorder(transport: transport, component: "azwi-webhook", instance: settings.identity)
        evictions = PodEvictionClient(transport: transport, timeout: .seconds(3))
    }

    /// Starts the work on a new thread.
    func start() throws {
        do {
            try OwnedThread.start(stackSize: 1 << 20) { [self] in
                run()
                finished.update { $0 = true }
            }
        } catch {
            throw ServeError("cannot start the pod repair thread: \(error)")
        }
    }

    /// Stops the work and waits until no request of it is in flight; `false` when `timeout` passed first.
    func stop(timeout: Duration) -> Bool {
        queue.stop()
        return finished.wait(timeout: timeout, until: { $0 }) { $0 }
    }

    /// The state of one term's judging, kept on the worker's thread.
    private struct Term {
        var planner: RepairPlanner
        var selection: WebhookSelection?
        var namespaces: NamespaceLabels
        var loop: ReflectorLoop<RepairPodStore>?
        var nextResync: ContinuousClock.Instant
    }

    private func run() {
        var term = Term(
            planner: RepairPlanner(mode: settings.mode, evictionsPerMinute: settings.evictionsPerMinute),
            selection: nil, namespaces: NamespaceLabels(transport: transport), loop: nil, nextResync: .now + settings.resync)
        term.selection = readSelection(previous: nil)
        store.select(with: term.selection)
        term.loop = startLoop()
        logger.info("repair: judging labelled pods", metadata: ["mode": "\(settings.mode)", "resync": "\(settings.resync)"])
        while true {
            var wake = term.nextResync
            if let pending = term.planner.pendingEvictions(now: .now) { wake = min(wake, max(pending.due, .now + .seconds(1))) }
            let work = queue.take(until: wake)
            if work.stopping { break }
            let now = ContinuousClock.now
            if now >= term.nextResync {
                term.nextResync = now + settings.resync
                let fresh = readSelection(previous: term.selection)
                term.namespaces.clear()
                if fresh?.objectSelector != term.selection?.objectSelector || (fresh == nil) != (term.selection == nil) {
                    logger.info("repair: the webhook configuration's objectSelector changed; listing the pods again")
                    term.selection = fresh
                    store.select(with: fresh)
                    term.loop?.stop()
                    term.loop = startLoop()
                    continue  // the new LIST replaces the store, and every pod is judged then
                }
                term.selection = fresh
                judgeAll(&term)
            } else if work.replaced {
                judgeAll(&term)
            } else {
                var uids = work.changed
                if let pending = term.planner.pendingEvictions(now: now), pending.due <= now { uids.formUnion(pending.pods) }
                judge(Array(uids), &term)
            }
            metrics.unmutated(term.planner.unmutatedByNamespace)
        }
        term.loop?.stop()
        metrics.clearUnmutated()
    }

    private func startLoop() -> ReflectorLoop<RepairPodStore>? {
        var configuration = ListWatchConfiguration()
        configuration.pageSize = Self.pageSize
        let loop = ReflectorLoop(transport: transport, collection: .workloadIdentityPods, store: store, configuration: configuration, logger: logger)
        do throws(KubeClientError) {
            try loop.start()
            return loop
        } catch {
            logger.error("repair: cannot watch the labelled pods", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The configuration's selectors; nil when it does not exist (nothing is selected), the
    /// previous ones when it cannot be read now.
    private func readSelection(previous: WebhookSelection?) -> WebhookSelection? {
        let name = settings.webhookConfigurationName
        do throws(KubeClientError) {
            let response = try transport.get("\(WebhookConfigurationClient.collectionPath)/\(name)", deadline: .now + .seconds(10))
            if response.status == 404 {
                logger.warning("repair: the MutatingWebhookConfiguration does not exist; no pod is judged until it does", metadata: ["name": "\(name)"])
                return nil
            }
            guard response.status == 200 else { throw .status(code: response.status, message: response.message) }
            let selection = WebhookSelection(try KubeJSON.decode(MutatingWebhookConfigurationShape.self, response.body, what: "MutatingWebhookConfiguration"))
            if selection == nil { logger.warning("repair: the MutatingWebhookConfiguration has no webhook; no pod is judged", metadata: ["name": "\(name)"]) }
            return selection
        } catch {
            logger.warning("repair: cannot read the MutatingWebhookConfiguration; keeping its last selectors", metadata: ["name": "\(name)", "error": "\(error)"])
            return previous
        }
    }

    private func judgeAll(_ term: inout Term) {
        guard store.isSynced else { return }
        let uids = store.uids
        term.planner.forgetAll(except: Set(uids))
        judge(uids, &term)
    }

    private func judge(_ uids: [PodUID], _ term: inout Term) {
        let ready = isReady()
        for uid in uids {
            guard let pod = store.record(uid), let selection = term.selection else {
                term.planner.forget(uid)
                continue
            }
            var namespaceSelected = true
            if selection.needsNamespaceLabels, case .unmutated = pod.verdict {
                let (answer, error) = term.namespaces.labels(of: pod.namespace, now: .now)
                switch answer {
                case let .labels(labels): namespaceSelected = selection.selects(namespace: pod.namespace, labels: labels)
                case .absent: namespaceSelected = false
                case .unknown:
                    logger.warning("repair: cannot read a namespace's labels; judging its pods later", metadata: ["namespace": "\(pod.namespace)", "error": "\(error.map { "\($0)" } ?? "")"])
                    continue
                }
            } else if !selection.needsNamespaceLabels {
                namespaceSelected = selection.selects(namespace: pod.namespace, labels: nil)
            }
            let plan = term.planner.plan(pod, namespaceSelected: namespaceSelected, ready: ready, now: .now)
            guard case let .unmutated(missing) = plan.verdict else { continue }
            if plan.report { report(pod, missing: missing) }
            if plan.evict { evict(pod, &term) }
        }
    }

    private func report(_ pod: PodRecord, missing: PodVerdict.Missing) {
        let evicting = settings.mode == .evict && pod.controller.recreatesEvictedPods
        logger.warning("pod not mutated", metadata: [
            "namespace": "\(pod.namespace)", "pod": "\(pod.name)", "owner": "\(pod.controller.kind)",
            "containersWithoutToken": "\(missing.containers.joined(separator: ","))", "volumeMissing": "\(missing.volume)",
            "action": "\(evicting ? "evict" : "report")",
        ])
        let message = NotMutatedMessage.text(for: pod, missing: missing, mode: settings.mode)
        let object = EventRecorder.InvolvedObject(kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid.description)
        do throws(KubeClientError) {
            try events.warning(about: object, reason: NotMutatedMessage.reason, message: message)
        } catch {
            logger.warning("repair: cannot create the NotMutated Event", metadata: ["namespace": "\(pod.namespace)", "pod": "\(pod.name)", "error": "\(error)"])
        }
    }

    private func evict(_ pod: PodRecord, _ term: inout Term) {
        let metadata: Logger.Metadata = ["namespace": "\(pod.namespace)", "pod": "\(pod.name)", "owner": "\(pod.controller.kind)"]
        let result: RepairPlanner.EvictionResult
        do throws(KubeClientError) {
            switch try evictions.evict(namespace: pod.namespace, name: pod.name, uid: pod.uid.description) {
            case .evicted:
                result = .evicted
                logger.info("evicted a pod that was not mutated; its controller recreates it", metadata: metadata)
            case let .blocked(message):
                result = .blocked
                logger.info("eviction refused by a PodDisruptionBudget; retrying later", metadata: metadata.merging(["message": "\(message)"]) { $1 })
            case .gone:
                result = .gone
            }
        } catch {
            result = .failed
            logger.warning("eviction failed; retrying later", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        term.planner.evictionEnded(pod.uid, result, now: .now)
        metrics.eviction(result)
    }
}
