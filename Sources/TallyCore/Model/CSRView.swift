/// A compressed-sparse-row view of the answers, grouped by task or by worker.
///
/// Row `r` holds `entries[offsets[r] ..< offsets[r + 1]]`, in input order. In the task view an
/// entry is the fused index `worker * K + label`; in the worker view it is `task * K + label`
/// (`K` = the number of labels). One `Int32` per answer is the whole hot structure, and a kernel
/// that gathers a worker's confusion row or scatters into it reads the index once.
public struct CSRView: Sendable {
    /// `rowCount + 1` offsets into ``entries``.
    public let offsets: [Int]
    /// Fused `other * K + label` indices, grouped by row, input order within a row.
    public let entries: [Int32]
    /// `K`, the number of labels, the divisor of the fused index.
    public let labelCount: Int

    /// The number of rows: tasks in ``AnswerTable/byTask``, workers in ``AnswerTable/byWorker``.
    public var rowCount: Int { offsets.count - 1 }

    /// The range of `entries` that holds row `r`.
    @inlinable
    public func range(of r: Int) -> Range<Int> { offsets[r]..<offsets[r + 1] }

    /// Groups answers by `rows` (ids below `rowCount`), fusing `other * K + label`.
    ///
    /// A stable counting sort, so answers keep their input order within a row.
    /// - Complexity: O(answers + rowCount).
    package init(rows: [Int32], rowCount: Int, other: [Int32], label: [Int32], labelCount k: Int) {
        if let sorted = CSRView(sortedRows: rows, rowCount: rowCount, other: other, label: label, labelCount: k) {
            self = sorted
            return
        }
        var counts = [Int](repeating: 0, count: rowCount + 1)
        rows.withUnsafeBufferPointer { rows in
            counts.withUnsafeMutableBufferPointer { counts in
                for r in rows { counts[Int(r) + 1] += 1 }
                for i in 0..<rowCount { counts[i + 1] += counts[i] }
            }
        }
        offsets = counts
        var cursor = counts
        var fused = [Int32](repeating: 0, count: rows.count)
        rows.withUnsafeBufferPointer { rows in
            other.withUnsafeBufferPointer { other in
                label.withUnsafeBufferPointer { label in
                    cursor.withUnsafeMutableBufferPointer { cursor in
                        fused.withUnsafeMutableBufferPointer { fused in
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
        entries = fused
        labelCount = k
    }

    /// The view of answers whose rows never decrease (a task-sorted file, such as `tally synth`
    /// writes): the offsets from the run boundaries and the entries in input order, one
    /// sequential pass each; `nil` (after one read of `rows`) when some row comes after a larger one.
    private init?(sortedRows rows: [Int32], rowCount: Int, other: [Int32], label: [Int32], labelCount k: Int) {
        let n = rows.count
        let isSorted = rows.withUnsafeBufferPointer { r -> Bool in
            guard n > 1 else { return true }
            var previous = r[0]
            for i in 1..<n {
                let v = r[i]
                if v < previous { return false }
                previous = v
            }
            return true
        }
        guard isSorted else { return nil }
        var offsets = [Int](repeating: 0, count: rowCount + 1)
        rows.withUnsafeBufferPointer { r in
            offsets.withUnsafeMutableBufferPointer { o in
                // offsets[x] = the first answer of a row ≥ x.
                var next = 0
                for i in 0..<n {
                    let row = Int(r[i])
                    while next <= row { o[next] = i; next += 1 }
                }
                while next <= rowCount { o[next] = n; next += 1 }
            }
        }
        let k32 = Int32(k)
        let fused = [Int32](unsafeUninitializedCapacity: n) { out, count in
            other.withUnsafeBufferPointer { other in
                label.withUnsafeBufferPointer { label in
                    for i in 0..<n { out[i] = other[i] &* k32 &+ label[i] }
                }
            }
            count = n
        }
        self.offsets = offsets
        entries = fused
        labelCount = k
    }
}
