/// How requests authenticate besides a client certificate: a fixed bearer token, or a token file
/// that is re-read when it changes (projected ServiceAccount tokens rotate about hourly).
public enum KubeCredential: Sendable, Equatable {
    case token(String)
    case tokenFile(String)
}
