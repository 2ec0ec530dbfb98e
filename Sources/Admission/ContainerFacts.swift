/// What admission needs to know of one container (or init container) of the pod.
struct ContainerFacts: Sendable {
    var name: JSONSpan?
    /// Whether `env` is present as an array.
    var hasEnv = false
    /// The entries of `env` whose name is one of the variables we inject.
    var envEntries: [EnvEntry] = []
    /// Whether the container has a non-empty `envFrom`.
    var hasEnvFrom = false
    /// Whether `volumeMounts` is present as an array.
    var hasVolumeMounts = false
    /// The index of the mount named `azure-identity-token`, if any.
    var tokenMountIndex: Int?
    /// Whether that mount is exactly ours (path, readOnly, no other field).
    var tokenMountIsExact = false
    /// The volume another mount puts at our mount path, if any (a conflict).
    var foreignMountAtTokenPath: JSONSpan?

    /// One `env` entry of a variable we inject.
    struct EnvEntry: Sendable {
        var variable: InjectedVariable
        /// Its index in `env`.
        var index: Int
        /// Its `value`, nil when absent.
        var value: JSONSpan?
        /// Whether it takes its value from `valueFrom`.
        var hasValueFrom: Bool
    }
}
