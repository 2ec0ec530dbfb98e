import ArgumentParser
import WebhookTLS

/// The `azwi-webhook` command: the webhook server (`serve`, the default) and its offline tools.
@main
struct AzwiWebhook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "azwi-webhook",
        abstract: "The Azure Workload Identity mutating admission webhook.",
        version: BuildInfo.current.json,
        subcommands: [ServeCommand.self, MutateCommand.self, DoctorCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    static func main() {
        OpenSSLProcessState.keepUntilExit()
        main(EmptyOptionValues.expand(Array(CommandLine.arguments.dropFirst())))
    }
}
