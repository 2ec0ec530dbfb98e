import Admission
import KubeClient
import YAML

/// The checks of the identity the pods get: the ServiceAccount exists, names a client ID, and
/// the tenant is known.
extension DoctorRun {
    mutating func serviceAccountCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.serviceAccount
        guard let workload = workload.value else { return skipWithoutTarget(id) }
        let name = workload.serviceAccountName
        let reference = "ServiceAccount \(namespace)/\(name)"
        serviceAccount = target.kind == .serviceaccount ? .found(workload.object) : source.get(.serviceAccounts, namespace: namespace, name: name)
        switch serviceAccount {
        case .found:
            return .pass(id, "\(reference) exists")
        case .unavailable(.missing):
            let consequence = "the webhook denies new pods (serviceaccounts \"\(name)\" not found)"
            if source.isOffline {
                return .fail(id, "\(reference) is not in the ServiceAccount files given: \(consequence)",
                             fix: "add to the manifests:\n" + Self.serviceAccountManifest(name: name, namespace: namespace))
            }
            return .fail(id, "\(reference) does not exist: \(consequence)",
                         fix: "kubectl -n \(namespace) create serviceaccount \(name)\n"
                            + DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: Self.clientIDAnnotation, value: DoctorFixes.clientIDLookup))
        case .unavailable(.offline):
            return .skip(id, "offline: pass --service-account FILE (or put the ServiceAccount in --file) to check \(reference)")
        case let .unavailable(reason):
            return .skip(id, unavailable: reason)
        }
    }

    func clientIDCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.clientID
        guard let account = serviceAccount.value, let workload = workload.value else { return skipWithoutServiceAccount(id) }
        let name = account.objectName
        let annotations = account.annotations
        let misses = ClientIDNearMiss.find(
            serviceAccountAnnotations: annotations, serviceAccountLabels: account.labels,
            podAnnotations: workload.podAnnotations, podLabels: workload.podLabels)
        let key = Self.clientIDAnnotation
        guard let clientID = annotations[key] else {
            guard let miss = misses.first else {
                return .fail(id, "ServiceAccount \(namespace)/\(name) has no \(key) annotation: AZURE_CLIENT_ID is not injected",
                             fix: DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: key, value: DoctorFixes.clientIDLookup))
            }
            let value = GUID.isValid(miss.value) ? miss.value : DoctorFixes.clientIDLookup
            return .fail(id, "ServiceAccount \(namespace)/\(name) has no \(key) annotation, but has \(miss): the webhook reads only the ServiceAccount annotation \(key), so AZURE_CLIENT_ID is not injected",
                         fix: DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: key, value: value) + "\n" + removal(of: miss, serviceAccount: name))
        }
        guard GUID.isValid(clientID) else {
            return .fail(id, "\(key) is \"\(clientID)\", not a GUID: Entra ID rejects the token exchange",
                         fix: DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: key, value: DoctorFixes.clientIDLookup))
        }
        if let miss = misses.first {
            return .warn(id, "client ID \(clientID); \(miss) is ignored by the webhook", fix: removal(of: miss, serviceAccount: name))
        }
        return .pass(id, "client ID \(clientID)")
    }

    mutating func tenantIDCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.tenantID
        guard let account = serviceAccount.value else { return skipWithoutServiceAccount(id) }
        let name = account.objectName
        let key = Self.tenantIDAnnotation
        let lookup = "$(az account show --query tenantId -o tsv)"
        if let tenant = account.annotations[key] {
            guard !tenant.isEmpty else {
                return .fail(id, "\(key) is empty on ServiceAccount \(namespace)/\(name): AZURE_TENANT_ID is not injected",
                             fix: DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: key, value: lookup) + "\n"
                                + "or, for the cluster's default tenant: " + DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: key, value: nil))
            }
            guard GUID.isValid(tenant) else {
                return .fail(id, "\(key) is \"\(tenant)\", not a GUID", fix: DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: key, value: lookup))
            }
            tenantID = tenant
            readAuthorityHost()
            return .pass(id, "tenant \(tenant) (the ServiceAccount's annotation)")
        }
        let configMapReference = "ConfigMap \(webhookNamespace)/\(Self.configMap)"
        switch source.get(.configMaps, namespace: webhookNamespace, name: Self.configMap) {
        case let .found(object):
            let data = object["data"]?.stringMap ?? [:]
            authorityHost = Self.authorityHost(environment: data["AZURE_ENVIRONMENT"])
            let tenant = data["AZURE_TENANT_ID"] ?? ""
            guard GUID.isValid(tenant) else {
                return .fail(id, "the cluster default tenant (AZURE_TENANT_ID in \(configMapReference)) is \"\(tenant)\", not a GUID",
                             fix: DoctorFixes.installChart.replacing("<tenant-id>", with: lookup))
            }
            tenantID = tenant
            return .pass(id, "tenant \(tenant) (the cluster default, from ConfigMap \(Self.configMap))")
        case .unavailable(.missing):
            return .warn(id, "no \(key) annotation and no \(configMapReference) to read the cluster default tenant from",
                         fix: DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: key, value: lookup))
        case .unavailable(.offline):
            return .skip(id, "no \(key) annotation; the cluster default tenant (\(configMapReference)) needs a cluster")
        case let .unavailable(reason):
            return .skip(id, unavailable: reason)
        }
    }

    /// Reads the cloud from the webhook's ConfigMap, when the tenant came from the ServiceAccount.
    private mutating func readAuthorityHost() {
        if let data = source.get(.configMaps, namespace: webhookNamespace, name: Self.configMap).value?["data"]?.stringMap {
            authorityHost = Self.authorityHost(environment: data["AZURE_ENVIRONMENT"])
        }
    }

    /// The authority host of a cloud name, nil when unknown (Azure Stack needs a file doctor does not have).
    static func authorityHost(environment: String?) -> String? {
        try? CloudEnvironment.authorityHost(for: environment ?? "", stackEnvironmentJSON: nil)
    }

    /// How to remove a near miss, so nobody trusts it later.
    private func removal(of miss: ClientIDNearMiss, serviceAccount name: String) -> String {
        switch miss.place {
        case .serviceAccountAnnotation:
            return DoctorFixes.annotateServiceAccount(name, namespace: namespace, key: miss.key, value: nil)
        case .serviceAccountLabel:
            return "kubectl -n \(namespace) label serviceaccount \(name) \(miss.key)-"
        case .podAnnotation, .podLabel:
            return "remove \(miss.key) from the pod template's \(miss.place == .podLabel ? "labels" : "annotations"): the client ID belongs on the ServiceAccount"
        }
    }

    /// The skip of a check that needs the ServiceAccount when it is not there.
    func skipWithoutServiceAccount(_ id: DoctorCheck.ID) -> DoctorCheck {
        switch serviceAccount.unavailable {
        case .missing: .skip(id, "needs the ServiceAccount (see service-account)")
        case .offline: .skip(id, "needs the ServiceAccount: pass --service-account FILE")
        case let reason?: .skip(id, unavailable: reason)
        case nil: .skip(id, "needs the ServiceAccount")
        }
    }

    /// A ServiceAccount manifest with the client-id annotation to fill in.
    static func serviceAccountManifest(name: String, namespace: String) -> String {
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: \(name)
          namespace: \(namespace)
          annotations:
            \(clientIDAnnotation): <client-id>
        """
    }
}
