import Admission
import ArgumentParser
import FoundationEssentials
import YAML

/// Loads ServiceAccounts from local files, for `mutate` and for `serve` without a cluster.
///
/// Accepts what people have at hand: one ServiceAccount per file, multi-document YAML, a JSON
/// array, or a `kind: List` as `kubectl get sa -A -o yaml` prints it; a directory is read file
/// by file (`.yaml`, `.yml`, `.json`, in name order).
enum ServiceAccountFiles {
    /// Every ServiceAccount in the file or directory at `path`.
    ///
    /// - Parameter defaultNamespace: the namespace of a ServiceAccount that names none.
    /// - Throws: a `ValidationError` naming the file and what is wrong with it.
    static func load(path: String, defaultNamespace: String = "default") throws -> [ServiceAccountFacts] {
        var accounts: [ServiceAccountFacts] = []
        for file in try files(at: path) {
            let documents: [YAMLNode]
            do {
                documents = try YAMLNode.parseDocuments(LocalFile.read(file, purpose: "--service-accounts"))
            } catch let error as YAMLError {
                throw ValidationError("\(file): not YAML or JSON: \(error)")
            }
            for document in documents {
                for object in document.items ?? [document] {
                    accounts.append(contentsOf: try serviceAccounts(in: object, file: file, defaultNamespace: defaultNamespace))
                }
            }
        }
        return accounts
    }

    private static func files(at path: String) throws -> [String] {
        guard LocalFile.isDirectory(path) else { return [path] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        return names.sorted()
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
            .map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
    }

    private static func serviceAccounts(in object: YAMLNode, file: String, defaultNamespace: String) throws -> [ServiceAccountFacts] {
        let kind = object["kind"]?.string
        if kind == "List" || kind == "ServiceAccountList" {
            return try (object["items"]?.items ?? []).flatMap {
                try serviceAccounts(in: $0, file: file, defaultNamespace: defaultNamespace)
            }
        }
        guard kind == "ServiceAccount" else {
            throw ValidationError("\(file): expected kind ServiceAccount or List, found \(kind.map { "kind \($0)" } ?? "no kind")")
        }
        guard let metadata = object["metadata"], let name = metadata["name"]?.string, !name.isEmpty else {
            throw ValidationError("\(file): a ServiceAccount has no metadata.name")
        }
        var annotations: [String: String] = [:]
        for pair in metadata["annotations"]?.pairs ?? [] {
            annotations[pair.key] = pair.value.string ?? ""
        }
        let namespace = metadata["namespace"]?.string ?? defaultNamespace
        return [ServiceAccountFacts(namespace: namespace, name: name, annotations: annotations)]
    }
}
