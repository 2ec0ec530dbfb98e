/// Maps an Azure cloud name (`AZURE_ENVIRONMENT`) to its Entra ID authority host.
///
/// The names are those upstream accepts (go-autorest's `EnvironmentFromName`), case-insensitive;
/// an unknown name stops the server at start rather than injecting a wrong host into every pod.
public enum CloudEnvironment {
    /// The accepted cloud names, as the error message lists them.
    public static let acceptedNames = [
        "AzurePublicCloud", "AzureCloud", "AzureUSGovernmentCloud", "AzureUSGovernment",
        "AzureChinaCloud", "AzureGermanCloud", "AzureStackCloud",
    ]

    /// Resolves the authority host, with its trailing slash.
    ///
    /// - Parameters:
    ///   - name: the cloud name, case-insensitive; empty means the public cloud.
    ///   - stackEnvironmentJSON: the contents of the file at `AZURE_ENVIRONMENT_FILEPATH`, read
    ///     by the caller; needed only for `AzureStackCloud`.
    /// - Throws: ``CloudEnvironmentError`` naming the bad value and the accepted names.
    public static func authorityHost(for name: String, stackEnvironmentJSON: [UInt8]?) throws(CloudEnvironmentError) -> String {
        switch name.lowercased() {
        case "", "azurepubliccloud", "azurecloud": return "https://login.microsoftonline.com/"
        case "azureusgovernmentcloud", "azureusgovernment": return "https://login.microsoftonline.us/"
        case "azurechinacloud": return "https://login.chinacloudapi.cn/"
        case "azuregermancloud": return "https://login.microsoftonline.de/"
        case "azurestackcloud": return try stackAuthorityHost(stackEnvironmentJSON)
        default:
            throw CloudEnvironmentError(message:
                "AZURE_ENVIRONMENT \"\(name)\" is not a known cloud; accepted names: \(acceptedNames.joined(separator: ", "))")
        }
    }

    /// `activeDirectoryEndpoint` from an Azure Stack environment file.
    private static func stackAuthorityHost(_ json: [UInt8]?) throws(CloudEnvironmentError) -> String {
        guard let json else {
            throw CloudEnvironmentError(message: "AzureStackCloud needs the environment file named by AZURE_ENVIRONMENT_FILEPATH")
        }
        let found: Result<String?, JSONError> = json.withUnsafeBufferPointer { bytes in
            var scanner = JSONScanner(bytes)
            do throws(JSONError) {
                guard try scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("expected an object") }
                var object = try scanner.enterObject()
                var endpoint: String?
                while let key = try scanner.nextKey(&object) {
                    if key.equals("activeDirectoryEndpoint", in: bytes), try scanner.peek() == UInt8(ascii: "\"") {
                        endpoint = try scanner.scanString().decode(in: bytes)
                    } else {
                        try scanner.skipValue()
                    }
                }
                try scanner.expectEnd()
                return .success(endpoint)
            } catch {
                return .failure(error)
            }
        }
        switch found {
        case .failure(let error):
            throw CloudEnvironmentError(message: "the AzureStackCloud environment file is not valid JSON: \(error.description)")
        case .success(let endpoint?) where !endpoint.isEmpty:
            return endpoint
        case .success:
            throw CloudEnvironmentError(message: "the AzureStackCloud environment file has no activeDirectoryEndpoint string")
        }
    }
}

/// Why the cloud configuration cannot be used; the server refuses to start with this message.
public struct CloudEnvironmentError: Error, Equatable, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
}
