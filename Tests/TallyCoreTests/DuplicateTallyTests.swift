import Testing
@testable import TallyCore
import TallyTestSupport

/// ``DuplicateTally``: the repeated (task, worker) pairs of task-grouped answers, counted in one
/// range or in ranges split at task boundaries, agree with ``DuplicateReport``'s own count over
/// the task view.
@Suite struct DuplicateTallyTests {
    @Test("counts in one range and in ranges split at task boundaries match DuplicateReport", arguments: [1, 3, 7])
    func matchesReport(ranges: Int) throws {
        var rng = SplitMix64(seed: 41)
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for _ in 0..<3_000 {
            // 12 workers over 200 tasks: many (task, worker) pairs come twice or three times.
            tasks.append("t\(rng.next() % 200)")
            workers.append("w\(rng.next() % 12)")
            labels.append(rng.next() % 2 == 0 ? "a" : "b")
        }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        let report = DuplicateReport(byTask: table.byTask, workerCount: table.workerCount, tasks: table.tasks, workers: table.workers)
        #expect(report.pairs > 10)
        let view = table.byTask, k = Int32(table.labelCount)
        let cuts = (0...ranges).map { view.rowCount * $0 / ranges }
        var pairs = 0, extra = 0
        var repeated = Set<Int32>()
        var example: (task: Int32, worker: Int32)?
        for r in 0..<ranges {
            let found = DuplicateTally.counting(workers: table.workerCount) { tally -> DuplicateTally.Found in
                for t in cuts[r]..<cuts[r + 1] {
                    for i in view.range(of: t) { tally.note(task: Int32(t), worker: view.entries[i] / k) }
                }
                return tally.found
            }
            pairs += found.pairs
            extra += found.extra
            repeated.formUnion(found.repeated)
            if example == nil { example = found.example }
        }
        #expect(pairs == report.pairs && extra == report.extraAnswers && repeated == report.repeatedWorkers)
        let ex = try #require(example)
        #expect(table.tasks.name(ex.task) == report.example?.task && table.workers.name(ex.worker) == report.example?.worker)
    }
}
