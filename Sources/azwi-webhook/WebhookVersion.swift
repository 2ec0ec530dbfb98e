/// The version this build reports (`--version`, the `User-Agent` of its API calls).
enum WebhookVersion {
    static let current = "0.1.0"
}
