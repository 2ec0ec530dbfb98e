/// Writes the JSON of everything admission adds to a pod: env entries, the token mount and
/// volume, and the proxy containers as upstream 1.5 builds them (field order as Go marshals them).
struct InjectedObjects {
    /// The values of the variables to inject, in injection order; empty values are not injected.
    let variables: [(InjectedVariable, String)]
    let tokenExpiration: Int
    let audience: String
    /// The projected source after the token (an identity binding's CA), as compact JSON.
    let caSourceJSON: [UInt8]?

    /// `{"name":"AZURE_…","value":"…"}`
    static func writeEnv(_ variable: InjectedVariable, _ value: String, to json: inout JSONWriter) {
        json.raw("{\"name\":")
        json.string(variable.name)
        json.raw(",\"value\":")
        json.string(value)
        json.raw("}")
    }

    /// The entries of `variables`, comma-separated, without brackets.
    static func writeEnvEntries(_ variables: [(InjectedVariable, String)], to json: inout JSONWriter, leadingComma: Bool) {
        var comma = leadingComma
        for (variable, value) in variables {
            if comma { json.raw(",") }
            writeEnv(variable, value, to: &json)
            comma = true
        }
    }

    /// `{"name":"azure-identity-token","mountPath":"/var/run/secrets/azure/tokens","readOnly":true}`
    func writeMount(to json: inout JSONWriter) {
        json.raw("{\"name\":\"azure-identity-token\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/azure/tokens\"}")
    }

    /// The projected service account token volume (no `defaultMode`, as upstream), with an
    /// identity binding's CA source after the token when there is one.
    func writeVolume(to json: inout JSONWriter) {
        json.raw("{\"name\":\"azure-identity-token\",\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"audience\":")
        json.string(audience)
        json.raw(",\"expirationSeconds\":")
        json.int(tokenExpiration)
        json.raw(",\"path\":\"azure-identity-token\"}}")
        if let caSourceJSON {
            json.raw(",")
            json.raw(caSourceJSON)
        }
        json.raw("]}}")
    }

    /// The `azwi-proxy-init` init container; `mutated` says whether it gets the env and mount.
    func writeProxyInit(image: String, port: Int, mutated: Bool, to json: inout JSONWriter) {
        json.raw("{\"name\":\"azwi-proxy-init\",\"image\":")
        json.string(image)
        json.raw(",\"env\":[{\"name\":\"PROXY_PORT\",\"value\":\"")
        json.int(port)
        json.raw("\"}")
        if mutated { Self.writeEnvEntries(variables, to: &json, leadingComma: true) }
        json.raw("],\"resources\":{}")
        if mutated {
            json.raw(",\"volumeMounts\":[")
            writeMount(to: &json)
            json.raw("]")
        }
        json.raw(",\"imagePullPolicy\":\"IfNotPresent\",\"securityContext\":{\"capabilities\":{\"add\":[\"NET_ADMIN\"],\"drop\":[\"ALL\"]},\"privileged\":true,\"runAsUser\":0,\"runAsNonRoot\":false}}")
    }

    /// The `azwi-proxy` sidecar; a native sidecar (`restartPolicy: Always`) when `native`.
    func writeProxy(image: String, port: Int, logLevel: String, native: Bool, mutated: Bool, to json: inout JSONWriter) {
        json.raw("{\"name\":\"azwi-proxy\",\"image\":")
        json.string(image)
        json.raw(",\"args\":[\"--proxy-port=")
        json.int(port)
        json.raw("\",")
        json.string("--log-level=" + logLevel)
        json.raw("],\"ports\":[{\"containerPort\":")
        json.int(port)
        json.raw("}]")
        if mutated, !variables.isEmpty {
            json.raw(",\"env\":[")
            Self.writeEnvEntries(variables, to: &json, leadingComma: false)
            json.raw("]")
        }
        json.raw(",\"resources\":{}")
        if native { json.raw(",\"restartPolicy\":\"Always\"") }
        if mutated {
            json.raw(",\"volumeMounts\":[")
            writeMount(to: &json)
            json.raw("]")
        }
        json.raw(",\"lifecycle\":{\"postStart\":{\"exec\":{\"command\":[\"/proxy\",\"--proxy-port=")
        json.int(port)
        json.raw("\",\"--probe\",")
        json.string("--log-level=" + logLevel)
        json.raw("]}}},\"imagePullPolicy\":\"IfNotPresent\",\"securityContext\":{\"capabilities\":{\"drop\":[\"ALL\"]},\"privileged\":false,\"runAsNonRoot\":true,\"readOnlyRootFilesystem\":true,\"allowPrivilegeEscalation\":false}}")
    }
}
