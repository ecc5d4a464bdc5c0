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
