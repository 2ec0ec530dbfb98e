import FoundationEssentials

/// Creates core/v1 Events about objects, so what the webhook finds shows in `kubectl describe`
/// and `kubectl get events` next to the object it concerns.
///
/// Each Event gets a new name (the object's name and the time in nanoseconds, as client-go
/// names them); nothing is updated or aggregated. Needs RBAC `create` on `events`.
public struct EventRecorder: Sendable {
    /// The object an Event is about.
    public struct InvolvedObject: Sendable, Equatable, Encodable {
        public var apiVersion: String
        public var kind: String
        public var namespace: String
        public var name: String
        public var uid: String

        public init(apiVersion: String = "v1", kind: String, namespace: String, name: String, uid: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }
    }

    private let transport: any KubeTransport
    private let component: String
    private let instance: String
    private let timeout: Duration

    /// - Parameters:
    ///   - component: the reporting component (`source.component`, `reportingComponent`).
    ///   - instance: which replica reports (`reportingInstance`, `source.host`), e.g. the pod name.
    public init(transport: any KubeTransport, component: String, instance: String, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.component = component
        self.instance = instance
        self.timeout = timeout
    }

    /// Creates a `Warning` Event about `object` in its namespace.
    ///
    /// - Parameters:
    ///   - reason: a short UpperCamelCase word (`NotMutated`).
    ///   - message: what happened and what to do, for a person (at most 1 KiB is kept).
    /// - Throws: `KubeClientError.status` when refused (403 without RBAC, 422 invalid), or `.transport`.
    public func warning(about object: InvolvedObject, reason: String, message: String) throws(KubeClientError) {
        let now = KubeTime.now()
        let event = Wire(
            metadata: .init(name: "\(object.name).\(String(now.unixNanoseconds, radix: 16))", namespace: object.namespace),
            involvedObject: object, reason: reason, message: String(message.utf8.prefix(1024)) ?? String(message.prefix(1000)),
            source: .init(component: component, host: instance), firstTimestamp: now.time, lastTimestamp: now.time,
            reportingComponent: component, reportingInstance: instance)
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(event))
        } catch {
            throw .decoding("cannot encode the Event: \(error)")
        }
        let target = "/api/v1/namespaces/\(KubePath.escape(object.namespace))/events"
        let response = try transport.write("POST", target, contentType: "application/json", body: body, deadline: .now + timeout)
        guard response.status == 200 || response.status == 201 else {
            throw .status(code: response.status, message: response.message)
        }
    }

    private struct Wire: Encodable {
        struct Metadata: Encodable {
            var name: String
            var namespace: String
        }

        struct Source: Encodable {
            var component: String
            var host: String
        }

        var apiVersion = "v1"
        var kind = "Event"
        var metadata: Metadata
        var involvedObject: InvolvedObject
        var reason: String
        var message: String
        var type = "Warning"
        var source: Source
        var firstTimestamp: String
        var lastTimestamp: String
        var count = 1
        var reportingComponent: String
        var reportingInstance: String
    }
}
