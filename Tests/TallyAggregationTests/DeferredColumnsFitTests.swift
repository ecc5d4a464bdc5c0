import Foundation
import Testing
import TallyAggregation
import TallyCore
import TallyTestSupport

/// A task-grouped `.arrow` file's table keeps its `task`, `worker` and `label` columns unmade
/// (``AnswerTable/columnsBuilt``) through a Dawid-Skene fit, which reads only the views, and the
/// fit is the same as from the table the file was written from.
@Suite struct DeferredColumnsFitTests {
    @Test("ds and onecoin-ds from a grouped .arrow: the source table's fit, the columns never made", arguments: [1, 2])
    func fitWithoutColumns(threads: Int) throws {
        try withTempDirectory { dir in
            // Named labels (numeric ones are written as an int64 column, which the general reader takes).
            var rng = SplitMix64(seed: 5)
            var tasks: [String] = [], workers: [String] = [], labels: [String] = []
            for _ in 0..<5_000 {
                let t = rng.next() % 400, w = rng.next() % 50
                tasks.append("t\(t * 7 % 400)")
                workers.append("w\(w)")
                labels.append(rng.next() % 4 == 0 ? (t % 2 == 0 ? "no" : "yes") : (t % 3 == 0 ? "no" : "yes"))
            }
            let tsv = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
            let path = dir.appendingPathComponent("g.arrow").path
            try ArrowWriter.write(tsv, to: path, rowsPerBatch: 500, groupByTask: true)
            let execution = ExecutionSettings(threads: threads)
            for oneCoin in [false, true] {
                let arrow = try AnswerReader.read(path).table
                #expect(!arrow.columnsBuilt)
                let fromArrow = oneCoin ? try OneCoinDawidSkene(execution: execution).fit(arrow) : try DawidSkene(execution: execution).fit(arrow)
                let fromTSV = oneCoin ? try OneCoinDawidSkene(execution: execution).fit(tsv) : try DawidSkene(execution: execution).fit(tsv)
                #expect(!arrow.columnsBuilt)
                // Task ids: the grouped file numbers tasks as the source did, so labels compare by id.
                #expect(arrow.tasks.names == tsv.tasks.names)
                #expect(fromArrow.labels == fromTSV.labels && fromArrow.lossHistory == fromTSV.lossHistory)
            }
        }
    }
}
