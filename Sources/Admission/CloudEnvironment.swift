/// Maps an Azure cloud name (`AZURE_ENVIRONMENT`) to its Entra ID authority host.
public enum CloudEnvironment {
    /// Resolves the authority host, with its trailing slash.
    ///
    /// - Parameters:
    ///   - name: the cloud name, case-insensitive; empty means the public cloud.
    ///   - stackEnvironmentJSON: the contents of the file at `AZURE_ENVIRONMENT_FILEPATH`, read
    ///     by the caller; needed only for `AzureStackCloud`.
    /// - Throws: ``CloudEnvironmentError`` naming the bad value and the accepted names.
    public static func authorityHost(for name: String, stackEnvironmentJSON: [UInt8]?) throws(CloudEnvironmentError) -> String {
        throw CloudEnvironmentError(message: "not implemented")
    }
}

/// Why the cloud configuration cannot be used; the server refuses to start with this message.
public struct CloudEnvironmentError: Error, Equatable, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
}
