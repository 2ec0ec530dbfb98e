import ArgumentParser
import YAML

/// Applies the webhook's own RFC 6902 patch to a document tree, so `mutate` can print the pod
/// as the API server would store it.
///
/// Only `add` and `replace` exist here because the admission logic emits nothing else; an
/// operation that does not apply is an error, never silently skipped.
enum JSONPatch {
    static func apply(_ patch: [UInt8], to document: YAMLNode) throws -> YAMLNode {
        var document = document
        let operations = try YAMLNode.parse(patch)
        for operation in operations.items ?? [] {
            guard let op = operation["op"]?.string, let path = operation["path"]?.string, let value = operation["value"] else {
                throw ValidationError("patch operation without op, path or value")
            }
            guard op == "add" || op == "replace" else { throw ValidationError("unexpected patch operation \(op)") }
            try set(value, at: pointerTokens(path)[...], in: &document, replacing: op == "replace", path: path)
        }
        return document
    }

    /// The unescaped reference tokens of a JSON Pointer (RFC 6901).
    private static func pointerTokens(_ pointer: String) throws -> [String] {
        guard pointer.hasPrefix("/") else { throw ValidationError("patch path \(pointer) is not a JSON Pointer") }
        return try pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescape)
    }

    /// Undoes JSON Pointer escaping: `~1` is `/`, `~0` is `~`.
    private static func unescape(_ token: Substring) throws -> String {
        var result = ""
        var iterator = token.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default: throw ValidationError("patch path token \(token) has a bad ~ escape")
            }
        }
        return result
    }

    private static func set(_ value: YAMLNode, at tokens: ArraySlice<String>, in node: inout YAMLNode, replacing: Bool, path: String) throws {
        guard let token = tokens.first else {
            node = value
            return
        }
        let rest = tokens.dropFirst()
        switch node {
        case .mapping(var pairs):
            if let index = pairs.firstIndex(where: { $0.key == token }) {
                if rest.isEmpty { pairs[index].value = value } else { try set(value, at: rest, in: &pairs[index].value, replacing: replacing, path: path) }
            } else {
                guard rest.isEmpty, !replacing else { throw ValidationError("patch path \(path) does not exist") }
                pairs.append(YAMLPair(key: token, value: value))
            }
            node = .mapping(pairs)
        case .sequence(var items):
            if token == "-", rest.isEmpty, !replacing {
                items.append(value)
            } else if let index = Int(token), index >= 0, index < items.count + (rest.isEmpty && !replacing ? 1 : 0) {
                if rest.isEmpty {
                    if replacing { items[index] = value } else { items.insert(value, at: index) }
                } else {
                    try set(value, at: rest, in: &items[index], replacing: replacing, path: path)
                }
            } else {
                throw ValidationError("patch path \(path) does not exist")
            }
            node = .sequence(items)
        case .scalar:
            throw ValidationError("patch path \(path) does not exist")
        }
    }
}
