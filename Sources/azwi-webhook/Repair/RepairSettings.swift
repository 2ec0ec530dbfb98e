import PodRepair

/// What `serve --repair` was asked to do, resolved before anything starts; absent when repair is off.
struct RepairSettings {
    /// `report` or `evict`.
    var mode: RepairMode
    var evictionsPerMinute: Int
    /// How often every labelled pod is judged again, besides each change.
    var resync: Duration
    /// This replica's name in the Lease: `$POD_NAME`, else the host name.
    var identity: String
    /// Where the Lease is: `$POD_NAMESPACE`.
    var namespace: String
    /// The MutatingWebhookConfiguration whose selectors say which pods the webhook sees.
    var webhookConfigurationName: String

    /// The Lease the replicas elect the one repairing replica on.
    static let leaseName = "azure-wi-webhook-repair"
}
