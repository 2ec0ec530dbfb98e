import FoundationEssentials

extension KubeAPIClient {
    private struct APIGroup: Decodable {
        struct Version: Decodable { var groupVersion: String }
        var versions: [Version]?
    }

    private struct APIResourceList: Decodable {
        struct Resource: Decodable { var name: String }
        var resources: [Resource]?
    }

    /// Whether the API server serves `resource` in `group` at any version, from API discovery
    /// (`/apis/<group>`, then each `/apis/<group>/<version>`); retried like ``serverVersion(attempts:timeout:)``.
    ///
    /// For features that need an API a cluster may not have (ClusterTrustBundles are alpha in
    /// 1.27–1.32, beta from 1.33), checked at start rather than failing on every pod.
    ///
    /// - Throws: the last attempt's error when the server cannot be asked.
    public func servesResource(group: String, resource: String, attempts: Int = 5, timeout: Duration = .seconds(10)) throws(KubeClientError) -> Bool {
        try retrying(attempts: attempts, what: "discovering \(group)") { () throws(KubeClientError) in
            let groupResponse = try get("/apis/\(group)", deadline: .now + timeout)
            if groupResponse.status == 404 { return false }
            let versions = try decode(APIGroup.self, groupResponse, what: "/apis/\(group)").versions ?? []
            for version in versions {
                let response = try get("/apis/\(version.groupVersion)", deadline: .now + timeout)
                if response.status == 404 { continue }
                let list = try decode(APIResourceList.self, response, what: "/apis/\(version.groupVersion)")
                if (list.resources ?? []).contains(where: { $0.name == resource }) { return true }
            }
            return false
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: KubeResponse, what: String) throws(KubeClientError) -> T {
        guard response.status == 200 else { throw .status(code: response.status, message: response.message) }
        guard let value = try? JSONDecoder().decode(T.self, from: Data(response.body)) else {
            throw .decoding("\(what) is not an API discovery document: \(String(decoding: response.body.prefix(120), as: UTF8.self))")
        }
        return value
    }
}
