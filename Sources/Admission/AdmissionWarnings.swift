/// The texts of `response.warnings`, each at most ``limit`` characters, which kubectl shows the user.
enum AdmissionWarnings {
    /// The longest warning we send.
    static let limit = 120

    static func noClientID(namespace: String, serviceAccount: String) -> String {
        clip("AZURE_CLIENT_ID not injected: ServiceAccount \(namespace)/\(serviceAccount) has no azure.workload.identity/client-id annotation")
    }

    static func unknownSkippedContainer(_ name: String) -> String {
        clip("azure.workload.identity/skip-containers names \"\(name)\", which matches no container")
    }

    static func shadowedVariable(_ variable: InjectedVariable, container: String) -> String {
        clip("container \"\(container)\" sets \(variable.name) itself; the workload identity value is not injected")
    }

    static func envFrom(container: String) -> String {
        clip("container \"\(container)\" uses envFrom; its env entries, including the injected AZURE_* ones, take precedence")
    }

    static func bindingWithoutClientID(namespace: String, serviceAccount: String) -> String {
        clip("identity binding not usable: ServiceAccount \(namespace)/\(serviceAccount) has no azure.workload.identity/client-id annotation")
    }

    static func bindingValue(key: String, value: String) -> String {
        clip("\(key) is \"\(AnnotationRules.clip(value, to: 16))\": expected \"true\" or \"false\"; no identity binding used")
    }

    static func unservedBinding(key: String) -> String {
        clip("\(key): no such identity binding is served here; the pod gets its usual identity")
    }

    /// Shortens a warning to ``limit`` characters, marking the cut with "...".
    static func clip(_ text: String) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 3)) + "..."
    }
}
