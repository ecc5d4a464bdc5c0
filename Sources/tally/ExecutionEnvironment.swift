import ArgumentParser
import Foundation
import TallyCore

extension ExecutionSettings {
    /// The settings of this run, from the environment (the only place Tally reads these variables):
    /// `TALLY_THREADS=N` caps the threads, `TALLY_SWIFT_KERNEL=1` runs the Swift passes instead of the
    /// C kernels, `TALLY_DEBUG_TIMING=1` prints each Dawid-Skene iteration's wall time on stderr.
    /// They exist for measurements (Benchmarks/README.md).
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ExecutionSettings {
        var settings = ExecutionSettings()
        if let n = environment["TALLY_THREADS"].flatMap(Int.init) { settings.threads = max(1, n) }
        if environment["TALLY_SWIFT_KERNEL"] != nil { settings.cKernels = false }
        if environment["TALLY_DEBUG_TIMING"] != nil {
            settings.iterationTiming = { iteration, seconds in
                FileHandle.standardError.write(Data("iteration \(iteration): \(seconds) seconds\n".utf8))
            }
        }
        return settings
    }
}

/// `--threads`, for the commands that run on several threads (`aggregate`, `synth`): with the
/// environment's settings, the one ``ExecutionSettings`` value a command passes to the libraries.
struct ExecutionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("At most this many threads (default: 2 on a machine with two or more cores, or TALLY_THREADS).", valueName: "N"))
    var threads: Int?

    mutating func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// The environment's settings (``ExecutionSettings/fromEnvironment(_:)``), `--threads` when given.
    var settings: ExecutionSettings {
        var settings = ExecutionSettings.fromEnvironment()
        if let threads { settings.threads = threads }
        return settings
    }
}
