import Admission
import Testing

@Test(arguments: [
    ("", "https://login.microsoftonline.com/"),
    ("AzurePublicCloud", "https://login.microsoftonline.com/"),
    ("azurecloud", "https://login.microsoftonline.com/"),
    ("AZUREUSGOVERNMENTCLOUD", "https://login.microsoftonline.us/"),
    ("AzureUSGovernment", "https://login.microsoftonline.us/"),
    ("AzureChinaCloud", "https://login.chinacloudapi.cn/"),
    ("AzureGermanCloud", "https://login.microsoftonline.de/"),
])
func cloudNamesMapToTheirAuthorityHost(_ name: String, _ host: String) throws {
    #expect(try CloudEnvironment.authorityHost(for: name, stackEnvironmentJSON: nil) == host)
}

@Test func unknownCloudIsRefusedNamingTheValueAndTheAcceptedNames() {
    #expect(throws: CloudEnvironmentError(message:
        "AZURE_ENVIRONMENT \"AzureMoonCloud\" is not a known cloud; accepted names: AzurePublicCloud, AzureCloud, AzureUSGovernmentCloud, AzureUSGovernment, AzureChinaCloud, AzureGermanCloud, AzureStackCloud")) {
        try CloudEnvironment.authorityHost(for: "AzureMoonCloud", stackEnvironmentJSON: nil)
    }
}

@Test func stackCloudReadsActiveDirectoryEndpointFromTheFile() throws {
    let file = #"{"name": "AzureStackCloud", "resourceManagerEndpoint": "https://management.local.azurestack.external/", "activeDirectoryEndpoint": "https://adfs.local.azurestack.external/adfs/", "graphEndpoint": {"nested": [1]}}"#
    #expect(try CloudEnvironment.authorityHost(for: "AzureStackCloud", stackEnvironmentJSON: Array(file.utf8))
        == "https://adfs.local.azurestack.external/adfs/")
}

@Test func stackCloudNeedsAFileWithAnEndpoint() {
    #expect(throws: CloudEnvironmentError.self) { try CloudEnvironment.authorityHost(for: "azurestackcloud", stackEnvironmentJSON: nil) }
    #expect(throws: CloudEnvironmentError(message: "the AzureStackCloud environment file has no activeDirectoryEndpoint string")) {
        try CloudEnvironment.authorityHost(for: "AzureStackCloud", stackEnvironmentJSON: Array(#"{"name":"x"}"#.utf8))
    }
    #expect(throws: CloudEnvironmentError.self) {
        try CloudEnvironment.authorityHost(for: "AzureStackCloud", stackEnvironmentJSON: Array(#"{"activeDirectoryEndpoint":"#.utf8))
    }
}
