import Testing
@testable import TallyCore

/// A CSR view of row-sorted answers is built by counting in order; it must equal the stable
/// counting sort's view of the same answers (checked against a reference built here).
@Suite("CSR views of row-sorted answers")
struct CSRViewSortedTests {
    /// The view by definition: rows in id order, input order within a row.
    static func reference(rows: [Int32], rowCount: Int, other: [Int32], label: [Int32], k: Int) -> (offsets: [Int], entries: [Int32]) {
        var offsets = [0], entries: [Int32] = []
        for r in 0..<rowCount {
            for i in rows.indices where rows[i] == Int32(r) { entries.append(other[i] * Int32(k) + label[i]) }
            offsets.append(entries.count)
        }
        return (offsets, entries)
    }

    @Test("sorted rows (with empty rows before, between and after), unsorted rows, one and no answers", arguments: [
        [Int32]([1, 1, 1, 3, 3, 4, 7, 7]),
        [Int32]([0, 0, 1, 2, 2, 2, 5, 6, 6, 7, 8]),
        [Int32]([2, 0, 1, 1, 5, 3, 4, 0]),
        [Int32]([4]),
        [Int32]([]),
    ])
    func sameAsReference(_ rows: [Int32]) {
        let k = 3, rowCount = 9
        let other = rows.indices.map { Int32(($0 * 7 + 3) % 5) }
        let label = rows.indices.map { Int32(($0 * 5 + 1) % k) }
        let view = CSRView(rows: rows, rowCount: rowCount, other: other, label: label, labelCount: k)
        let expected = Self.reference(rows: rows, rowCount: rowCount, other: other, label: label, k: k)
        #expect(view.offsets == expected.offsets)
        #expect(view.entries == expected.entries)
        #expect(view.labelCount == k)
    }

    @Test("a synthetic crowd's table (task-sorted) equals the same answers shuffled back into input order")
    func tableFromSortedColumns() throws {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for t in 0..<500 { for j in 0..<4 { tasks.append("t\(t)"); workers.append("w\((t * 7 + j * 13) % 97)"); labels.append("c\((t + j) % 2)") } }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        let reference = Self.reference(rows: table.task, rowCount: table.taskCount, other: table.worker, label: table.label, k: table.labelCount)
        #expect(table.byTask.offsets == reference.offsets)
        #expect(table.byTask.entries == reference.entries)
        let byWorker = Self.reference(rows: table.worker, rowCount: table.workerCount, other: table.task, label: table.label, k: table.labelCount)
        #expect(table.byWorker.offsets == byWorker.offsets)
        #expect(table.byWorker.entries == byWorker.entries)
    }
}
