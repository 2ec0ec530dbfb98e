import ArgumentParser

/// `azwi-webhook serve`: runs the HTTPS webhook server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the webhook server.")
}
