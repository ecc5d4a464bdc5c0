/// Categorical answers held in about four bytes each, for Dawid-Skene on 10⁸–10⁹ answers.
///
/// ``AnswerTable`` keeps 20 bytes per answer (three id columns and two sorted views) so that every
/// method finds what it needs. Dawid-Skene's EM needs only the task-sorted fused entries
/// (`worker * K + label`, 4 bytes) and the task offsets, so this table keeps only those:
/// `entries` (4 bytes per answer) and `offsets` (`UInt32`, 4 bytes per task). Task and worker
/// names stay in the memory-mapped Arrow file's dictionaries and are looked up by id when an
/// output is written; no name is copied into the heap.
///
/// Ids are assigned as ``AnswerTable``'s are (tasks and workers by first appearance, labels in
/// ``LabelSet`` order, input order within a task), so a method run on either gives the same numbers.
///
/// Built by ``init(arrow:threads:progress:)`` straight from a mapped `.arrow` file in two passes
/// over the mapped dictionary indices (see `CompactAnswers+Arrow.swift`): the first assigns ids
/// and counts answers per task, the second fills the entries, either in row order (when the rows
/// are already grouped by task, as `tally synth` writes them: no sort) or by a counting sort.
///
/// ```swift
/// let answers = try CompactAnswers(arrow: "big/answers.arrow")
/// print(answers.answerCount, answers.taskCount, answers.residentBytes)
/// ```
public final class CompactAnswers: @unchecked Sendable {
    /// `taskCount + 1` offsets into ``entries``: task `t` holds `entries[offsets[t] ..< offsets[t + 1]]`.
    public let offsets: [UInt32]
    /// Fused `worker * K + label` indices, grouped by task, input order within a task.
    public let entries: [Int32]
    /// The labels that occur in the answers, in the toolkit's order.
    public let labels: LabelSet
    /// The number of distinct workers.
    public let workerCount: Int
    /// Whether the file's rows were already grouped by task (then no sort was needed).
    public let wasGrouped: Bool
    /// Repeated (task, worker) pairs: how many, the answers beyond the first, and the first one
    /// in task order (by id); counted as ``DuplicateReport`` counts them.
    public let duplicates: (pairs: Int, extraAnswers: Int, example: (task: Int32, worker: Int32)?)

    /// Task names: the mapped dictionary, and the dictionary index of each id when ids are not the
    /// dictionary's own order (`nil`: id = index).
    let taskNames: MappedNames
    /// Worker names, the same way.
    let workerNames: MappedNames

    /// The number of answers.
    public var answerCount: Int { entries.count }
    /// The number of distinct tasks.
    public var taskCount: Int { offsets.count - 1 }
    /// The number of labels, `K`.
    public var labelCount: Int { labels.count }

    /// The heap bytes this table keeps per answer: entries, offsets and the name-lookup tables.
    public var residentBytes: Int {
        4 * entries.count + 4 * offsets.count + 4 * (taskNames.codeOfId?.count ?? 0) + 4 * (workerNames.codeOfId?.count ?? 0)
    }

    init(offsets: [UInt32], entries: [Int32], labels: LabelSet, workerCount: Int, wasGrouped: Bool,
         taskNames: MappedNames, workerNames: MappedNames) {
        self.offsets = offsets
        self.entries = entries
        self.labels = labels
        self.workerCount = workerCount
        self.wasGrouped = wasGrouped
        self.taskNames = taskNames
        self.workerNames = workerNames
        duplicates = Self.countDuplicates(offsets: offsets, entries: entries, k: labels.count, workers: workerCount)
    }

    /// The name of task `id`.
    public func taskName(_ id: Int) -> String { taskNames.name(id) }

    /// The name of worker `id`.
    public func workerName(_ id: Int) -> String { workerNames.name(id) }

    /// The range of ``entries`` that holds task `t`.
    @inlinable
    public func range(of t: Int) -> Range<Int> { Int(offsets[t])..<Int(offsets[t + 1]) }

    /// As ``DuplicateReport``: per task, a stamp per worker finds the second and later answers of a pair.
    static func countDuplicates(offsets: [UInt32], entries: [Int32], k: Int, workers: Int)
        -> (pairs: Int, extraAnswers: Int, example: (task: Int32, worker: Int32)?) {
        var stamp = [UInt32](repeating: 0, count: workers)
        var seen = [Int32](repeating: 0, count: workers)
        var pairs = 0, extra = 0
        var example: (task: Int32, worker: Int32)?
        let k32 = Int32(k)
        offsets.withUnsafeBufferPointer { o in
            entries.withUnsafeBufferPointer { e in
                stamp.withUnsafeMutableBufferPointer { stamp in
                    seen.withUnsafeMutableBufferPointer { seen in
                        for t in 0..<(o.count - 1) {
                            let mark = UInt32(truncatingIfNeeded: t + 1)
                            for i in Int(o[t])..<Int(o[t + 1]) {
                                let w = Int(e[i] / k32)
                                if stamp[w] == mark {
                                    seen[w] += 1
                                    extra += 1
                                    if seen[w] == 2 { pairs += 1 }
                                    if example == nil { example = (Int32(t), Int32(w)) }
                                } else {
                                    stamp[w] = mark
                                    seen[w] = 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return (pairs, extra, example)
    }
}

/// Names read in place from a mapped Arrow dictionary.
final class MappedNames: @unchecked Sendable {
    /// The column whose dictionary holds the names (its values live in the mapped file).
    let column: ColumnCodes
    /// Per id, its dictionary index; `nil` when ids are dictionary indices.
    let codeOfId: [Int32]?
    /// Scratch for integer dictionary values spelled in decimal.
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)

    init(_ column: ColumnCodes, codeOfId: [Int32]?) {
        self.column = column
        self.codeOfId = codeOfId
    }

    deinit { scratch.deallocate() }

    /// Hands the dictionary's pages back to the kernel (read again from the file if touched).
    func release() { column.releaseDictionary() }

    /// Calls `body` with the bytes of name `id` (empty when the value cannot be read; the builder
    /// checked every used value). `scratch` holds 32 bytes for an integer's decimal spelling.
    func withBytes(_ id: Int, scratch: UnsafeMutableRawPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        let code = codeOfId.map { Int($0[id]) } ?? id
        body((try? column.dictionary!.value(code, scratch: scratch)) ?? UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// Name `id` (empty when the value cannot be read; the builder checked every used value).
    func name(_ id: Int) -> String {
        let code = codeOfId.map { Int($0[id]) } ?? id
        guard let bytes = try? column.dictionary!.value(code, scratch: scratch) else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }
}
