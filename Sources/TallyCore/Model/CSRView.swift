import Foundation
import Synchronization

/// A compressed-sparse-row view of the answers, grouped by task or by worker.
///
/// Row `r` holds `entries[offsets[r] ..< offsets[r + 1]]`, in input order. In the task view an
/// entry is the fused index `worker * K + label`; in the worker view it is `task * K + label`
/// (`K` = the number of labels). One `Int32` per answer is the whole hot structure, and a kernel
/// that gathers a worker's confusion row or scatters into it reads the index once.
///
/// A view may be *deferred* (``AnswerTable/byWorker`` is): its offsets are made at once, its
/// entries the first time ``entries`` is read (once, under a lock; later reads take no lock), so a
/// method that needs only the rows' sizes (Dawid-Skene) never pays for the counting sort.
public struct CSRView: Sendable {
    /// `rowCount + 1` offsets into ``entries``.
    public let offsets: [Int]
    /// Fused `other * K + label` indices, grouped by row, input order within a row.
    @inlinable
    public var entries: [Int32] {
        if let deferred { return deferred.entries }
        return stored
    }
    /// The entries of a view built at once (empty for a deferred view).
    @usableFromInline let stored: [Int32]
    /// The entries of a deferred view, built on first use.
    @usableFromInline let deferred: DeferredEntries?
    /// `K`, the number of labels, the divisor of the fused index.
    public let labelCount: Int

    /// The number of rows: tasks in ``AnswerTable/byTask``, workers in ``AnswerTable/byWorker``.
    public var rowCount: Int { offsets.count - 1 }

    /// Whether ``entries`` exist yet (`false` only for a deferred view not yet read).
    public var entriesBuilt: Bool { deferred?.isBuilt ?? true }

    /// The range of `entries` that holds row `r`.
    @inlinable
    public func range(of r: Int) -> Range<Int> { offsets[r]..<offsets[r + 1] }

    /// A view of these parts, built.
    package init(offsets: [Int], entries: [Int32], labelCount: Int) {
        self.offsets = offsets
        stored = entries
        deferred = nil
        self.labelCount = labelCount
    }

    /// Groups answers by `rows` (ids below `rowCount`), fusing `other * K + label`.
    ///
    /// A stable counting sort, so answers keep their input order within a row.
    /// - Complexity: O(answers + rowCount).
    package init(rows: [Int32], rowCount: Int, other: [Int32], label: [Int32], labelCount k: Int) {
        if let sorted = CSRView(sortedRows: rows, rowCount: rowCount, other: other, label: label, labelCount: k) {
            self = sorted
            return
        }
        let offsets = Self.offsets(rows: rows, rowCount: rowCount)
        self.init(offsets: offsets, entries: Self.scatter(rows: rows, offsets: offsets, other: other, label: label, labelCount: k), labelCount: k)
    }

    /// The view of ``init(rows:rowCount:other:label:labelCount:)`` with its offsets counted now
    /// and its entries sorted the first time they are read.
    package static func deferred(rows: [Int32], rowCount: Int, other: [Int32], label: [Int32], labelCount k: Int) -> CSRView {
        let offsets = offsets(rows: rows, rowCount: rowCount)
        return CSRView(offsets: offsets, deferred: DeferredEntries {
            scatter(rows: rows, offsets: offsets, other: other, label: label, labelCount: k)
        }, labelCount: k)
    }

    /// A deferred view whose `offsets` (the prefix sums of the rows' answer counts) are known.
    package static func deferred(rows: [Int32], offsets: [Int], other: [Int32], label: [Int32], labelCount k: Int) -> CSRView {
        CSRView(offsets: offsets, deferred: DeferredEntries {
            scatter(rows: rows, offsets: offsets, other: other, label: label, labelCount: k)
        }, labelCount: k)
    }

    /// A deferred view whose `offsets` are known and whose entries `build` makes on first read.
    package static func deferred(offsets: [Int], labelCount k: Int, _ build: @escaping @Sendable () -> [Int32]) -> CSRView {
        CSRView(offsets: offsets, deferred: DeferredEntries(build), labelCount: k)
    }

    private init(offsets: [Int], deferred: DeferredEntries, labelCount: Int) {
        self.offsets = offsets
        stored = []
        self.deferred = deferred
        self.labelCount = labelCount
    }

    /// `rowCount + 1` offsets: the prefix sums of the rows' answer counts.
    static func offsets(rows: [Int32], rowCount: Int) -> [Int] {
        var counts: [Int] = FreshArray.zeros(rowCount + 1)
        rows.withUnsafeBufferPointer { rows in
            counts.withUnsafeMutableBufferPointer { counts in
                for r in rows { counts[Int(r) + 1] += 1 }
                for i in 0..<rowCount { counts[i + 1] += counts[i] }
            }
        }
        return counts
    }

    /// The stable counting sort's scatter: each answer's fused entry at its row's next slot.
    static func scatter(rows: [Int32], offsets: [Int], other: [Int32], label: [Int32], labelCount k: Int) -> [Int32] {
        var cursor = offsets
        return FreshArray.uninitialized(rows.count) { fused in
            rows.withUnsafeBufferPointer { rows in
                other.withUnsafeBufferPointer { other in
                    label.withUnsafeBufferPointer { label in
                        cursor.withUnsafeMutableBufferPointer { cursor in
                            let k32 = Int32(k)
                            for i in 0..<rows.count {
                                let r = Int(rows[i])
                                fused[cursor[r]] = other[i] &* k32 &+ label[i]
                                cursor[r] += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The view of answers whose rows never decrease (a task-sorted file, such as `tally synth`
    /// writes): the offsets from the run boundaries and the entries in input order, one
    /// sequential pass; `nil` when some row comes after a larger one.
    private init?(sortedRows rows: [Int32], rowCount: Int, other: [Int32], label: [Int32], labelCount k: Int) {
        guard let part = SortedRowsPart(rows: rows, range: 0..<rows.count, rowCount: rowCount, other: other, label: label,
                                        labelCount: k, workers: 0) else { return nil }
        self.init(offsets: part.offsets, entries: part.entries, labelCount: k)
    }
}

/// The entries of a deferred ``CSRView``: built once, by the first reader, under a lock.
@usableFromInline
final class DeferredEntries: @unchecked Sendable {
    private let ready = Atomic<Bool>(false)
    private let lock = NSLock()
    private var value: [Int32] = []
    private var build: (@Sendable () -> [Int32])?

    init(_ build: @escaping @Sendable () -> [Int32]) { self.build = build }

    /// Whether the entries exist yet.
    var isBuilt: Bool { ready.load(ordering: .acquiring) }

    /// The entries, built now if no one has read them yet.
    @usableFromInline
    var entries: [Int32] {
        if ready.load(ordering: .acquiring) { return value }
        lock.lock()
        defer { lock.unlock() }
        if !ready.load(ordering: .relaxed) {
            value = build!()
            build = nil
            ready.store(true, ordering: .releasing)
        }
        return value
    }
}
