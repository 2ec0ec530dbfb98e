/// A failure talking to the Kubernetes API.
public enum KubeClientError: Error, Equatable, Sendable {
    case configuration(String)
}
