internal import CYAML

extension YAMLNode {
    /// The deepest nesting accepted; Kubernetes objects stay far below it, and the tree's
    /// recursive walks then cannot exhaust a thread's stack.
    public static let maximumDepth = 256
    /// The most nodes aliases may expand to, against "billion laughs" documents.
    public static let maximumAliasExpansion = 100_000

    /// Parses the single document in `bytes` (YAML, or JSON, which is YAML too).
    ///
    /// - Throws: ``YAMLError`` when the bytes are not YAML, hold no document or several.
    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> YAMLNode {
        let documents = try parseDocuments(bytes)
        guard documents.count == 1 else {
            throw YAMLError(message: documents.isEmpty ? "no document found" : "expected one document, found \(documents.count)")
        }
        return documents[0]
    }

    /// Parses every document of a multi-document stream (`---` separated); empty ones are skipped.
    public static func parseDocuments(_ bytes: [UInt8]) throws(YAMLError) -> [YAMLNode] {
        let bytes = SurrogateEscapes.rewritten(bytes)
        var builder = TreeBuilder()
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else { throw YAMLError(message: "cannot initialise the YAML parser") }
        defer { yaml_parser_delete(parser) }

        let result: Result<Void, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    let problem = parser.pointee.problem.map { String(cString: $0) } ?? "invalid YAML"
                    let mark = parser.pointee.problem_mark
                    return .failure(YAMLError(message: problem, line: mark.line + 1, column: mark.column + 1))
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return .success(()) }
                do throws(YAMLError) { try builder.apply(event) } catch { return .failure(error) }
            }
        }
        try result.get()
        return builder.documents.filter { !$0.isNull }
    }
}

/// Turns libyaml's event stream into trees, one per document.
private struct TreeBuilder {
    private enum Open {
        case sequence([YAMLNode], anchor: String?)
        case mapping([YAMLPair], pendingKey: String?, anchor: String?)
    }

    var documents: [YAMLNode] = []
    private var stack: [Open] = []
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var expanded = 0

    mutating func apply(_ event: yaml_event_t) throws(YAMLError) {
        let line = event.start_mark.line + 1, column = event.start_mark.column + 1
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let tag = scalar.tag.map { String(cString: $0) }
            let quoted = scalar.style != YAML_PLAIN_SCALAR_STYLE || tag == "tag:yaml.org,2002:str"
            let node = YAMLNode.scalar(text, quoted: quoted)
            remember(node, size: 1, anchor: scalar.anchor)
            try add(node, line: line, column: column)
        case YAML_SEQUENCE_START_EVENT:
            try open(.sequence([], anchor: event.data.sequence_start.anchor.map { String(cString: $0) }), line: line, column: column)
        case YAML_MAPPING_START_EVENT:
            try open(.mapping([], pendingKey: nil, anchor: event.data.mapping_start.anchor.map { String(cString: $0) }), line: line, column: column)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let top = stack.popLast() else { throw YAMLError(message: "unbalanced collection", line: line, column: column) }
            let node: YAMLNode, anchor: String?
            switch top {
            case .sequence(let items, let name): node = .sequence(items); anchor = name
            case .mapping(let pairs, _, let name): node = .mapping(pairs); anchor = name
            }
            if let anchor { anchors[anchor] = (node, Self.size(of: node)) }
            try add(node, line: line, column: column)
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let target = anchors[name] else { throw YAMLError(message: "unknown alias *\(name)", line: line, column: column) }
            expanded += target.size
            guard expanded <= YAMLNode.maximumAliasExpansion else {
                throw YAMLError(message: "aliases expand to more than \(YAMLNode.maximumAliasExpansion) nodes", line: line, column: column)
            }
            try add(target.node, line: line, column: column)
        default:
            break  // stream and document boundaries carry nothing the tree needs
        }
    }

    private mutating func remember(_ node: YAMLNode, size: Int, anchor: UnsafeMutablePointer<yaml_char_t>?) {
        if let anchor { anchors[String(cString: anchor)] = (node, size) }
    }

    private mutating func open(_ collection: Open, line: Int, column: Int) throws(YAMLError) {
        if case .mapping(_, nil, _) = stack.last {
            throw YAMLError(message: "mapping keys must be strings", line: line, column: column)
        }
        guard stack.count < YAMLNode.maximumDepth else {
            throw YAMLError(message: "nesting deeper than \(YAMLNode.maximumDepth) levels", line: line, column: column)
        }
        stack.append(collection)
    }

    private mutating func add(_ node: YAMLNode, line: Int, column: Int) throws(YAMLError) {
        guard let top = stack.popLast() else {
            documents.append(node)
            return
        }
        switch top {
        case .sequence(var items, let anchor):
            items.append(node)
            stack.append(.sequence(items, anchor: anchor))
        case .mapping(let pairs, nil, let anchor):
            guard case .scalar(let key, _) = node else {
                throw YAMLError(message: "mapping keys must be strings", line: line, column: column)
            }
            stack.append(.mapping(pairs, pendingKey: key, anchor: anchor))
        case .mapping(var pairs, let key?, let anchor):
            pairs.append(YAMLPair(key: key, value: node))
            stack.append(.mapping(pairs, pendingKey: nil, anchor: anchor))
        }
    }

    private static func size(of node: YAMLNode) -> Int {
        switch node {
        case .scalar: 1
        case .sequence(let items): items.reduce(1) { $0 + size(of: $1) }
        case .mapping(let pairs): pairs.reduce(1) { $0 + 1 + size(of: $1.value) }
        }
    }
}
