import Foundation
import TallyCore

/// The check a method makes before it allocates tables that grow with the number of labels.
///
/// Dawid-Skene keeps a K × K confusion matrix per worker, so its tables hold `workers × K²`
/// numbers: 40 workers and 5,000 labels ask for 8 GB per table, and 20,000 labels for 128 GB. Such
/// label counts almost always mean a numeric or free-text column read as categorical. A method
/// estimates what it will allocate and calls ``require(_:bytes:labels:detail:)`` first; beyond
/// ``limit`` it throws an ``AggregationError`` that names the label count, the memory and what to
/// do, instead of aborting in the allocator (or running for minutes in swap).
///
///     try MemoryGuard.require("ds", bytes: 8 * 40 * 5000 * 5000 * 4, labels: 5000,
///                             detail: "a 5000 × 5000 confusion matrix for each of 40 workers")
public enum MemoryGuard {
    /// The most a fit may allocate, in bytes: half the machine's physical memory.
    public static var limit: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// Throws unless `bytes` (the estimate of what `method` is about to allocate) is within ``limit``.
    ///
    /// - Parameters:
    ///   - method: the method's name, as the message shows it.
    ///   - labels: the number of distinct labels, which the message names.
    ///   - detail: what grows, e.g. `a 5000 × 5000 confusion matrix for each of 40 workers`.
    public static func require(_ method: String, bytes: Double, labels: Int, detail: String) throws {
        guard bytes > limit else { return }
        throw AggregationError(
            "\(method) would need about \(gigabytes(bytes)) for \(labels) labels (\(detail)), more than the \(gigabytes(limit)) it may use (half of this machine's memory); "
                + "so many labels usually means a numeric or free-text column read as categorical: check the label column, or aggregate numeric answers as numbers")
    }

    /// `12.3 GB`.
    static func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
}
