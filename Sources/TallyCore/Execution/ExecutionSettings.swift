import Foundation

/// How Tally's engines use the machine: how many threads, which kernels, and whether to report the
/// time of each iteration. A value passed in by the caller; no library reads the environment.
///
/// The defaults suit a user: two threads when the machine has two cores or more, the C kernels
/// (AVX2 where the CPU has it). The `tally` command line builds one from `TALLY_THREADS`,
/// `TALLY_SWIFT_KERNEL` and `TALLY_DEBUG_TIMING` for measurements.
///
///     var settings = ExecutionSettings()
///     settings.threads = 1
///     let model = try DawidSkene(execution: settings).fit(table)
public struct ExecutionSettings: Sendable {
    /// At most this many threads for one fit (at least 1). Small inputs run on one whatever this says.
    public var threads: Int
    /// Run the C kernels (AVX2 when the CPU has it) where a method has them; `false` runs the Swift
    /// passes, which compute the same values and exist for comparison.
    public var cKernels: Bool
    /// Called after each EM iteration of Dawid-Skene with the iteration (from 1) and its wall time in
    /// seconds; `nil` (the default) times nothing.
    public var iterationTiming: (@Sendable (_ iteration: Int, _ seconds: Double) -> Void)?

    /// Two threads when the machine has two or more cores, else one.
    public static var defaultThreads: Int { min(2, ProcessInfo.processInfo.activeProcessorCount) }

    /// - Parameters:
    ///   - threads: at most this many threads (values below 1 count as 1); default ``defaultThreads``.
    ///   - cKernels: run the C kernels (default `true`).
    ///   - iterationTiming: called with each iteration's wall time (default none).
    public init(threads: Int = ExecutionSettings.defaultThreads, cKernels: Bool = true,
                iterationTiming: (@Sendable (_ iteration: Int, _ seconds: Double) -> Void)? = nil) {
        self.threads = max(1, threads)
        self.cKernels = cKernels
        self.iterationTiming = iterationTiming
    }
}
