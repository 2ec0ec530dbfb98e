import Admission
import Testing

@Suite struct ContainerSelectionTests {
    @Test func everyContainerIsMutatedWithoutAnnotations() {
        #expect(ContainerSelection(skipContainers: nil, includeContainers: nil).includes("app"))
    }

    @Test func skippedNamesAreTrimmedAndWinOverTheAllowList() {
        let selection = ContainerSelection(skipContainers: " sidecar ; proxy", includeContainers: "app;sidecar")
        #expect(selection.includes("app"))
        #expect(!selection.includes("sidecar"))
        #expect(!selection.includes("proxy"))
        #expect(!selection.includes("other"))
    }
}
