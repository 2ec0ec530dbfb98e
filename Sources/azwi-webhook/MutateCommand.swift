import ArgumentParser

/// `azwi-webhook mutate`: shows what the webhook would do to a pod, with no cluster.
struct MutateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mutate", abstract: "Show the mutation of a pod.")
}
