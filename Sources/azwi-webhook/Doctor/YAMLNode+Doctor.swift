import YAML

extension YAMLNode {
    /// A mapping of strings (labels, annotations, ConfigMap data) as a dictionary; empty when
    /// absent or not a mapping. Non-string values read as their text.
    var stringMap: [String: String] {
        var map: [String: String] = [:]
        for pair in pairs ?? [] { map[pair.key] = pair.value.string ?? "" }
        return map
    }

    /// `metadata.name`, or "" when absent.
    var objectName: String { self["metadata"]?["name"]?.string ?? "" }

    /// `metadata.labels`.
    var labels: [String: String] { self["metadata"]?["labels"]?.stringMap ?? [:] }

    /// `metadata.annotations`.
    var annotations: [String: String] { self["metadata"]?["annotations"]?.stringMap ?? [:] }

    /// The owner reference marked `controller: true` (the ReplicaSet of a pod, the Deployment of
    /// a ReplicaSet), as kind and name.
    var controller: (kind: String, name: String, uid: String)? {
        let owner = self["metadata"]?["ownerReferences"]?.items?.first { $0["controller"]?.string == "true" }
        guard let owner, let kind = owner["kind"]?.string, let name = owner["name"]?.string else { return nil }
        return (kind, name, owner["uid"]?.string ?? "")
    }

    /// Whether an owner reference of this object names `uid`.
    func isOwned(by uid: String) -> Bool {
        self["metadata"]?["ownerReferences"]?.items?.contains { $0["uid"]?.string == uid } ?? false
    }
}
