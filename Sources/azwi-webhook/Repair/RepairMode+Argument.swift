public import ArgumentParser
public import PodRepair

/// `--repair off|report|evict` (public only because the mode is another module's public type).
extension RepairMode: ExpressibleByArgument {}
