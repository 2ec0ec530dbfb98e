import Logging

/// The ordered list of a process's components: started in order, stopped in reverse.
///
/// When a component fails to start, the ones already started are stopped before the error is
/// passed on, so a refused start leaves no thread behind.
final class Components {
    private let logger: Logger
    private var started: [any Component] = []

    init(logger: Logger) {
        self.logger = logger
    }

    /// Starts each component in order.
    ///
    /// - Throws: the first start error, after stopping what had started.
    func start(_ list: [any Component]) throws {
        for component in list {
            do {
                try component.start()
            } catch {
                stop(timeout: .seconds(5))
                throw error
            }
            started.append(component)
        }
    }

    /// Stops the started components in reverse order, within `timeout` in all.
    func stop(timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        for component in started.reversed() {
            component.beginShutdown()
            if !component.waitUntilStopped(timeout: max(.zero, deadline - .now)) {
                logger.warning("\(component.name) did not stop before the shutdown timeout")
            }
        }
        started = []
    }
}
