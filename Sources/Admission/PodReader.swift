/// Reads the pod in `request.object` into ``PodFacts`` in one pass over the body.
///
/// Malformed JSON throws (the whole body is unusable). A well-formed value of the wrong shape
/// (`containers` not an array, a non-string annotation) is recorded in
/// ``PodFacts/shapeError`` and skipped, so the envelope can still be read and the pod denied
/// with a clear message. Recursion is bounded by the pod schema; anything else is skipped
/// iteratively by ``JSONScanner/skipValue()``.
struct PodReader {
    private var scanner: JSONScanner
    private var pod = PodFacts()

    private init(scanner: JSONScanner) {
        self.scanner = scanner
    }

    /// Reads the pod object at the scanner's position and advances the scanner past it.
    static func read(_ scanner: inout JSONScanner) throws(JSONError) -> PodFacts {
        var reader = PodReader(scanner: scanner)
        if var object = try reader.object("the request object") {
            while let key = try reader.nextKey(&object) {
                if reader.matches(key, "metadata") {
                    try reader.readMetadata()
                } else if reader.matches(key, "spec") {
                    try reader.readSpec()
                } else {
                    try reader.scanner.skipValue()
                }
            }
        }
        scanner = reader.scanner
        return reader.pod
    }

    // MARK: - Pod

    private mutating func readMetadata() throws(JSONError) {
        guard var metadata = try object("metadata") else { return }
        pod.hasMetadata = true
        while let key = try nextKey(&metadata) {
            if matches(key, "name") {
                pod.name = try string("metadata.name")
            } else if matches(key, "generateName") {
                pod.generateName = try string("metadata.generateName")
            } else if matches(key, "namespace") {
                pod.namespace = try string("metadata.namespace")
            } else if matches(key, "labels") {
                _ = try readStringMap("metadata.labels", values: "a label value") { reader, key, value in
                    if reader.matches(key, WorkloadIdentity.useLabel) { reader.pod.useLabel = value }
                }
            } else if matches(key, "annotations") {
                pod.hasAnnotations = try readStringMap("metadata.annotations", values: "an annotation value") { reader, key, value in
                    reader.noteAnnotation(key, value)
                }
            } else {
                try scanner.skipValue()
            }
        }
    }

    private mutating func noteAnnotation(_ key: JSONSpan, _ value: JSONSpan) {
        if matches(key, WorkloadIdentity.tokenExpirationAnnotation) {
            pod.tokenExpiration = value
        } else if matches(key, WorkloadIdentity.skipContainersAnnotation) {
            pod.skipContainers = value
        } else if matches(key, WorkloadIdentity.includeContainersAnnotation) {
            pod.includeContainers = value
        } else if matches(key, WorkloadIdentity.injectProxySidecarAnnotation) {
            pod.injectProxySidecar = value
        } else if matches(key, WorkloadIdentity.proxySidecarPortAnnotation) {
            pod.proxySidecarPort = value
        } else if matches(key, WorkloadIdentity.injectedAnnotation) {
            pod.injected = value
        } else if matches(key, WorkloadIdentity.mirrorAnnotation) {
            pod.isMirror = true
        } else if key.hasPrefix(WorkloadIdentity.bindingAnnotationPrefix, in: scanner.bytes) {
            pod.bindingAnnotations.append(.init(key: key, value: value))
        }
    }

    private mutating func readSpec() throws(JSONError) {
        guard var spec = try object("spec") else { return }
        pod.hasSpec = true
        while let key = try nextKey(&spec) {
            if matches(key, "serviceAccountName") {
                pod.serviceAccountName = try string("spec.serviceAccountName")
            } else if matches(key, "hostNetwork") {
                pod.hostNetwork = try bool("spec.hostNetwork")
            } else if matches(key, "initContainers") {
                pod.initContainers = try readContainers("spec.initContainers")
            } else if matches(key, "containers") {
                pod.containers = try readContainers("spec.containers")
            } else if matches(key, "volumes") {
                try readVolumes()
            } else {
                try scanner.skipValue()
            }
        }
    }

    // MARK: - Containers

    private mutating func readContainers(_ what: StaticString) throws(JSONError) -> [ContainerFacts]? {
        guard var list = try array(what) else { return nil }
        var containers: [ContainerFacts] = []
        while try scanner.nextElement(&list) {
            guard var object = try object("a container") else { continue }
            var container = ContainerFacts()
            while let key = try nextKey(&object) {
                if matches(key, "name") {
                    container.name = try string("a container's name")
                } else if matches(key, "env") {
                    try readEnv(into: &container)
                } else if matches(key, "envFrom") {
                    guard var sources = try array("a container's envFrom") else { continue }
                    while try scanner.nextElement(&sources) {
                        container.hasEnvFrom = true
                        try scanner.skipValue()
                    }
                } else if matches(key, "volumeMounts") {
                    try readVolumeMounts(into: &container)
                } else {
                    try scanner.skipValue()
                }
            }
            containers.append(container)
        }
        return containers
    }

    private mutating func readEnv(into container: inout ContainerFacts) throws(JSONError) {
        guard var list = try array("a container's env") else { return }
        container.hasEnv = true
        var index = 0
        while try scanner.nextElement(&list) {
            defer { index += 1 }
            guard var object = try object("an env entry") else { continue }
            var variable: InjectedVariable?
            var value: JSONSpan?
            var hasValueFrom = false
            while let key = try nextKey(&object) {
                if matches(key, "name") {
                    if let name = try string("an env entry's name") {
                        variable = InjectedVariable.named(name, in: scanner.bytes)
                    }
                } else if matches(key, "value") {
                    value = try string("an env entry's value")
                } else if matches(key, "valueFrom") {
                    hasValueFrom = try scanner.peek() != UInt8(ascii: "n")
                    try scanner.skipValue()
                } else {
                    try scanner.skipValue()
                }
            }
            if let variable {
                container.envEntries.append(.init(variable: variable, index: index, value: value, hasValueFrom: hasValueFrom))
            }
        }
    }

    private mutating func readVolumeMounts(into container: inout ContainerFacts) throws(JSONError) {
        guard var list = try array("a container's volumeMounts") else { return }
        container.hasVolumeMounts = true
        var index = 0
        while try scanner.nextElement(&list) {
            defer { index += 1 }
            guard var object = try object("a volume mount") else { continue }
            var name: JSONSpan?
            var atTokenPath = false
            var readOnly = false
            var otherFields = 0
            while let key = try nextKey(&object) {
                if matches(key, "name") {
                    name = try string("a volume mount's name")
                } else if matches(key, "mountPath") {
                    atTokenPath = try string("a volume mount's mountPath").map { matches($0, WorkloadIdentity.mountPath) } ?? false
                } else if matches(key, "readOnly") {
                    readOnly = try bool("a volume mount's readOnly")
                } else {
                    otherFields += 1
                    try scanner.skipValue()
                }
            }
            if let name, matches(name, WorkloadIdentity.volumeName) {
                container.tokenMountIndex = index
                container.tokenMountIsExact = atTokenPath && readOnly && otherFields == 0
            } else if atTokenPath {
                container.foreignMountAtTokenPath = name ?? JSONSpan(range: 0..<0, hasEscapes: false)
            }
        }
    }

    // MARK: - Volumes

    private mutating func readVolumes() throws(JSONError) {
        guard var list = try array("spec.volumes") else { return }
        pod.hasVolumes = true
        var index = 0
        while try scanner.nextElement(&list) {
            defer { index += 1 }
            guard var object = try object("a volume") else { continue }
            var volume = TokenVolumeFacts(index: index)
            var isOurs = false
            while let key = try nextKey(&object) {
                if matches(key, "name") {
                    isOurs = try string("a volume's name").map { matches($0, WorkloadIdentity.volumeName) } ?? false
                } else if matches(key, "projected") {
                    try readProjected(into: &volume)
                } else {
                    if volume.otherKind == nil, try scanner.peek() != UInt8(ascii: "n") {
                        volume.otherKind = key.decode(in: scanner.bytes)
                    }
                    try scanner.skipValue()
                }
            }
            if isOurs { pod.tokenVolume = volume }
        }
    }

    private mutating func readProjected(into volume: inout TokenVolumeFacts) throws(JSONError) {
        guard var projected = try object("a projected volume") else { return }
        var sourceCount = 0
        while let key = try nextKey(&projected) {
            if matches(key, "sources") {
                guard var sources = try array("a projected volume's sources") else { continue }
                while try scanner.nextElement(&sources) {
                    sourceCount += 1
                    if sourceCount > 1 {
                        // Kept as raw bytes: compared with the CA source an identity binding adds.
                        _ = try scanner.peek()
                        let start = scanner.position
                        try scanner.skipValue()
                        volume.laterSources.append(start..<scanner.position)
                        continue
                    }
                    guard var source = try object("a projected volume source") else { continue }
                    while let kind = try nextKey(&source) {
                        if matches(kind, "serviceAccountToken") {
                            try readTokenProjection(into: &volume)
                        } else {
                            volume.isPlainTokenVolume = false
                            try scanner.skipValue()
                        }
                    }
                }
            } else if matches(key, "defaultMode") {
                // The API server defaults it to 420 (0644); any other value is not ours.
                if let number = try number("a projected volume's defaultMode") {
                    volume.isPlainTokenVolume = volume.isPlainTokenVolume && equals(number, "420")
                }
            } else {
                volume.isPlainTokenVolume = false
                try scanner.skipValue()
            }
        }
        if sourceCount == 0 { volume.isPlainTokenVolume = false }
    }

    private mutating func readTokenProjection(into volume: inout TokenVolumeFacts) throws(JSONError) {
        guard var token = try object("a serviceAccountToken projection") else { return }
        while let key = try nextKey(&token) {
            if matches(key, "path") {
                volume.tokenPath = try string("a serviceAccountToken path")
            } else if matches(key, "audience") {
                volume.audience = try string("a serviceAccountToken audience")
            } else if matches(key, "expirationSeconds") {
                volume.expirationSeconds = try number("a serviceAccountToken's expirationSeconds")
            } else {
                volume.isPlainTokenVolume = false
                try scanner.skipValue()
            }
        }
    }

    // MARK: - Shape-checked reads

    private func matches(_ key: JSONSpan, _ literal: StaticString) -> Bool {
        key.equals(literal, in: scanner.bytes)
    }

    private func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        JSONSpan(range: range, hasEscapes: false).equals(literal, in: scanner.bytes)
    }

    private mutating func nextKey(_ cursor: inout JSONScanner.Cursor) throws(JSONError) -> JSONSpan? {
        try scanner.nextKey(&cursor)
    }

    /// Records a shape error (the first one wins) and skips the offending value.
    private mutating func fail(_ message: String) throws(JSONError) {
        if pod.shapeError == nil { pod.shapeError = message }
        try scanner.skipValue()
    }

    private mutating func object(_ what: StaticString) throws(JSONError) -> JSONScanner.Cursor? {
        switch try scanner.peek() {
        case UInt8(ascii: "{"): return try scanner.enterObject()
        case UInt8(ascii: "n"): try scanner.literal("null"); return nil
        default: try fail("\(what) must be an object"); return nil
        }
    }

    private mutating func array(_ what: StaticString) throws(JSONError) -> JSONScanner.Cursor? {
        switch try scanner.peek() {
        case UInt8(ascii: "["): return try scanner.enterArray()
        case UInt8(ascii: "n"): try scanner.literal("null"); return nil
        default: try fail("\(what) must be an array"); return nil
        }
    }

    private mutating func string(_ what: StaticString) throws(JSONError) -> JSONSpan? {
        switch try scanner.peek() {
        case UInt8(ascii: "\""): return try scanner.scanString()
        case UInt8(ascii: "n"): try scanner.literal("null"); return nil
        default: try fail("\(what) must be a string"); return nil
        }
    }

    private mutating func bool(_ what: StaticString) throws(JSONError) -> Bool {
        switch try scanner.peek() {
        case UInt8(ascii: "t"): try scanner.literal("true"); return true
        case UInt8(ascii: "f"): try scanner.literal("false"); return false
        case UInt8(ascii: "n"): try scanner.literal("null"); return false
        default: try fail("\(what) must be a boolean"); return false
        }
    }

    private mutating func number(_ what: StaticString) throws(JSONError) -> Range<Int>? {
        switch try scanner.peek() {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try scanner.scanNumber()
        case UInt8(ascii: "n"): try scanner.literal("null"); return nil
        default: try fail("\(what) must be a number"); return nil
        }
    }

    /// Reads a map of strings to strings, calling `note` for each entry; returns whether it was an object.
    private mutating func readStringMap(
        _ what: StaticString,
        values: StaticString,
        _ note: (inout PodReader, JSONSpan, JSONSpan) -> Void
    ) throws(JSONError) -> Bool {
        guard var map = try object(what) else { return false }
        while let key = try nextKey(&map) {
            if let value = try string(values) {
                note(&self, key, value)
            }
        }
        return true
    }
}
