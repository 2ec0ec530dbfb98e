import Logging

/// Sets up swift-log for the server: JSON (default) or text lines on stderr, at upstream's levels.
enum WebhookLogging {
    /// Maps upstream's `--log-level` values (`""`, `info`, `debug`, `trace`, `all`) to swift-log levels.
    static func level(_ flag: String) -> Logger.Level {
        switch flag {
        case "debug": .debug
        case "trace", "all": .trace
        default: .info
        }
    }

    /// Bootstraps the logging system once, and returns the server's logger.
    static func bootstrap(format: ServeCommand.LogFormat, level flag: String) -> Logger {
        let level = level(flag)
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, logLevel: level)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "azwi-webhook")
    }
}
