import Admission
import ArgumentParser
import FoundationEssentials
import WebhookTLS

/// The admission settings `serve` and `mutate` share, from flags and the environment upstream uses.
///
/// Both commands must mutate a pod the same way, so they build their `AdmissionConfig` here.
struct AdmissionOptions: ParsableArguments {
    @Option(help: "The audience of the projected service account token.")
    var audience: String = AdmissionConfig.defaultAudience

    @Option(help: ArgumentHelp(
        "Override the Entra ID authority host (air-gapped clouds). Default: from AZURE_ENVIRONMENT.",
        valueName: "url"))
    var authorityHost: String?

    @Option(help: ArgumentHelp("Log level: \"\", info, debug, trace or all; also passed to the proxy sidecar.", valueName: "level"))
    var logLevel: String = "info"

    @Flag(help: "Leave pods without the azure.workload.identity/use=true label unchanged.")
    var requireLabel = false

    @Option(help: ArgumentHelp(
        "Suffix to append to 'azure.workload.identity/use-' when defining a custom token endpoint annotation "
            + "(AKS identity bindings). When empty, custom token endpoint injection is disabled. Needs "
            + "AZURE_KUBERNETES_TOKEN_PROXY and, optionally, AZURE_KUBERNETES_SNI_NAME and one CA source: "
            + "AZURE_KUBERNETES_CA_DATA, AZURE_KUBERNETES_CA_CONFIGMAP_NAME or AZURE_KUBERNETES_CA_CTB_SIGNER_NAME "
            + "(with AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR).",
        valueName: "suffix"))
    var customTokenEndpointAnnotationSuffix = ""

    @Option(help: ArgumentHelp(
        "Audience to use when configuring service account tokens for custom token endpoints. "
            + "When empty, custom token endpoint injection is disabled.",
        valueName: "audience"))
    var customTokenEndpointAudience = ""

    /// The log levels upstream accepts.
    static let logLevels = ["", "info", "debug", "trace", "all"]

    func validate() throws {
        guard Self.logLevels.contains(logLevel) else {
            throw ValidationError("--log-level \"\(logLevel)\" is not valid: use one of \"\", info, debug, trace, all")
        }
        if let authorityHost, !authorityHost.hasPrefix("https://") {
            throw ValidationError("--authority-host \"\(authorityHost)\" is not valid: it must be an https:// URL")
        }
    }

    /// Builds the configuration, refusing to start on a missing tenant or an unknown cloud.
    ///
    /// - Parameters:
    ///   - defaultTenantID: the tenant used when `AZURE_TENANT_ID` is unset (dev mode); nil makes it required.
    ///   - environment: the process environment.
    func makeConfig(defaultTenantID: String?, environment variables: [String: String] = ProcessInfo.processInfo.environment) throws -> AdmissionConfig {
        let environment = UpstreamEnvironment(variables: variables)
        let tenantID = environment["AZURE_TENANT_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultTenantID
        guard let tenantID else {
            throw ValidationError("AZURE_TENANT_ID is not set: set it to the ID of your Microsoft Entra tenant (the chart's azureTenantID value)")
        }
        return AdmissionConfig(
            tenantID: tenantID,
            authorityHost: try resolveAuthorityHost(environment: environment),
            audience: audience,
            proxyImage: nonEmpty(environment["PROXY_IMAGE"]) ?? AdmissionConfig.defaultProxyImage,
            proxyInitImage: nonEmpty(environment["PROXY_INIT_IMAGE"]) ?? AdmissionConfig.defaultProxyInitImage,
            logLevel: logLevel,
            requireLabel: requireLabel,
            customTokenEndpoint: try customTokenEndpoint(environment: environment)
        )
    }

    /// Identity bindings from the two flags and the `AZURE_KUBERNETES_*` variables, checked as upstream
    /// checks them; nil when off. Inline CA data must hold a certificate the SDK can load.
    private func customTokenEndpoint(environment: UpstreamEnvironment) throws -> CustomTokenEndpoint? {
        var values: [String: String] = [:]
        for name in CustomTokenEndpoint.environmentNames {
            values[name] = environment[name]
        }
        if let caData = values["AZURE_KUBERNETES_CA_DATA"], !caData.isEmpty {
            do {
                _ = try PEMCertificate.notAfter(Array(caData.utf8))
            } catch {
                throw ValidationError("AZURE_KUBERNETES_CA_DATA holds no PEM certificate: set it to the token proxy's CA certificate, PEM-encoded")
            }
        }
        do {
            return try CustomTokenEndpoint.resolve(
                annotationSuffix: customTokenEndpointAnnotationSuffix, audience: customTokenEndpointAudience, environment: values)
        } catch {
            throw ValidationError(error.message)
        }
    }

    private func resolveAuthorityHost(environment: UpstreamEnvironment) throws -> String {
        if let authorityHost {
            return authorityHost.hasSuffix("/") ? authorityHost : authorityHost + "/"
        }
        let cloud = environment["AZURE_ENVIRONMENT"] ?? ""
        var stackJSON: [UInt8]?
        if cloud.lowercased() == "azurestackcloud" {
            guard let path = nonEmpty(environment["AZURE_ENVIRONMENT_FILEPATH"]) else {
                throw ValidationError("AZURE_ENVIRONMENT is AzureStackCloud but AZURE_ENVIRONMENT_FILEPATH is not set: point it at the cloud's environment JSON file")
            }
            stackJSON = try LocalFile.read(path, purpose: "AZURE_ENVIRONMENT_FILEPATH")
        }
        do {
            return try CloudEnvironment.authorityHost(for: cloud, stackEnvironmentJSON: stackJSON)
        } catch {
            throw ValidationError(error.message)
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        value.flatMap { $0.isEmpty ? nil : $0 }
    }
}
