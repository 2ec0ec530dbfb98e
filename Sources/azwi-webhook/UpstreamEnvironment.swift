/// The environment as upstream reads it: its settings go through envconfig with the prefix
/// `config`, so `CONFIG_AZURE_TENANT_ID` wins over `AZURE_TENANT_ID`, and the same for every
/// variable it reads that way.
struct UpstreamEnvironment {
    let variables: [String: String]

    /// `CONFIG_<name>` when it is set (even empty), else `<name>`.
    subscript(name: String) -> String? {
        variables["CONFIG_" + name] ?? variables[name]
    }
}
