import Foundation
import Testing
@testable import TallyAggregation
@testable import TallyCore
import TallyTestSupport

/// The compact table (``CompactAnswers``) and its Dawid-Skene fit (``CompactDawidSkene``): the
/// same answers as the full ``AnswerTable`` and the same fit as ``DawidSkene`` /
/// ``OneCoinDawidSkene``, bit for bit, on real data sets written to `.arrow` and on synthetic
/// crowds (grouped by task or shuffled, two or more labels, one or two threads).
@Suite("Compact Dawid-Skene: the table and the fit equal the full path")
struct CompactDawidSkeneTests {
    /// The full table's task view with `UInt32` offsets.
    private func expectSameAnswers(_ c: CompactAnswers, _ t: AnswerTable) {
        #expect(c.taskCount == t.taskCount)
        #expect(c.workerCount == t.workerCount)
        #expect(c.labels.names == t.labels.names)
        #expect(c.offsets.map { Int($0) } == t.byTask.offsets)
        #expect(c.entries == t.byTask.entries)
        #expect(c.duplicates.pairs == t.duplicates.pairs && c.duplicates.extraAnswers == t.duplicates.extraAnswers)
        for id in [0, t.taskCount / 2, t.taskCount - 1] { #expect(c.taskName(id) == t.tasks.name(Int32(id))) }
        for id in [0, t.workerCount - 1] { #expect(c.workerName(id) == t.workers.name(Int32(id))) }
    }

    /// Fits both ways; labels, priors and every loss must be equal (not close: the same sums).
    private func expectSameFit(_ c: CompactAnswers, _ t: AnswerTable, threads: Int, oneCoin: Bool = false) throws {
        let execution = ExecutionSettings(threads: threads)
        let full = oneCoin ? try OneCoinDawidSkene(execution: execution).fit(t) : try DawidSkene(execution: execution).fit(t)
        let compact = try CompactDawidSkene(model: oneCoin ? .oneCoin : .full, execution: execution).fit(c)
        #expect(compact.labels.map { Int32($0) } == full.labels)
        #expect(compact.lossHistory == full.lossHistory)
        #expect(compact.priors == full.priors)
        #expect(compact.confusions == full.confusions.values)
        #expect(compact.skills == full.skills)
    }

    @Test("real data sets written to .arrow: same table, same ds and onecoin-ds fits",
          arguments: ["bluebirds", "snow-rte", "snow-temp", "act-ms", "gal-bm", "vldb-adult"])
    func realDataSets(name: String) throws {
        let table = try AnswerReader.read(try TestData.answersPath(name)).table
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("answers.arrow").path
            try ArrowWriter.write(table, to: path, rowsPerBatch: 997)
            let compact = try CompactAnswers(arrow: path, threads: 2)
            expectSameAnswers(compact, table)
            try expectSameFit(compact, table, threads: 1)
            try expectSameFit(compact, table, threads: 1, oneCoin: true)
            // The streamed labels are the bytes ResultWriter writes, in TSV and CSV.
            let labels = try DawidSkene().fit(table).labels
            for format in [OutputFormat.tsv, .csv] {
                let out = dir.appendingPathComponent("labels.\(format.rawValue)").path
                try compact.writeLabels(to: out, format: format) { Int(labels[$0]) }
                #expect(try Array(Data(contentsOf: URL(fileURLWithPath: out))) == ResultWriter.labels(table, labels, format: format))
            }
        }
    }

    /// `answers` answers over `workers` workers, 5 per task, K labels; rows grouped by task or shuffled.
    private func synthetic(answers: Int, workers: Int, k: Int, shuffled: Bool) throws -> AnswerTable {
        var r = SplitMix64(seed: UInt64(answers * 31 + k))
        let tasks = answers / 5
        let skill = (0..<workers).map { _ in 0.5 + 0.45 * r.unit() }
        var rows: [(Int, Int, Int)] = []
        rows.reserveCapacity(answers)
        for t in 0..<tasks {
            let truth = Int(r.next() % UInt64(k))
            for _ in 0..<5 {
                let w = Int(r.next() % UInt64(workers))
                let label = r.unit() < skill[w] ? truth : Int(r.next() % UInt64(k))
                rows.append((t, w, label))
            }
        }
        if shuffled {
            for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, Int(r.next() % UInt64(i + 1))) }
        }
        return try AnswerTable(tasks: rows.map { "t\($0.0)" }, workers: rows.map { "w\($0.1)" }, labels: rows.map { "c\($0.2)" })
    }

    @Test("synthetic crowds: grouped rows skip the sort, shuffled rows are counting-sorted; same fit on two threads",
          arguments: [(2, false), (2, true), (4, true)])
    func syntheticCrowds(k: Int, shuffled: Bool) throws {
        let table = try synthetic(answers: 250_000, workers: 300, k: k, shuffled: shuffled)
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("answers.arrow").path
            try ArrowWriter.write(table, to: path, rowsPerBatch: 40_000)
            let compact = try CompactAnswers(arrow: path, threads: 2)
            #expect(compact.wasGrouped == !shuffled)
            expectSameAnswers(compact, table)
            #expect(compact.residentBytes <= 5 * compact.answerCount)
            try expectSameFit(compact, table, threads: 2)
        }
    }

    @Test("pyarrow's files: a dictionary out of first-appearance order and integer labels read as the full reader reads them",
          arguments: ["pyarrow-reversed-dictionary.arrow", "pyarrow-int-labels.arrow", "pyarrow-dictionary.arrow", "polars-categorical.arrow"])
    func pyarrowFiles(name: String) throws {
        let path = Repository.file("Tests/ArrowFixtures/\(name)").path
        if let why = try CompactAnswers.unsupported(arrow: path) {
            // polars may write plain strings for a categorical; then the full reader is the only path.
            #expect(why.contains("dictionary-encoded"))
            return
        }
        let table = try AnswerReader.read(path).table
        let compact = try CompactAnswers(arrow: path)
        expectSameAnswers(compact, table)
        try expectSameFit(compact, table, threads: 1)
    }

    @Test("unsupported and broken files get clear errors")
    func errors() throws {
        let plain = Repository.file("Tests/ArrowFixtures/polars-default.arrow").path
        let why = try CompactAnswers.unsupported(arrow: plain)
        #expect(why?.contains("not dictionary-encoded") == true)
        do {
            _ = try CompactAnswers(arrow: plain)
            Issue.record("plain string columns were accepted")
        } catch let e as InputError {
            #expect(e.message.contains("task column is not dictionary-encoded"))
            #expect(e.file == plain)
        }
        #expect(throws: AggregationError.self) {
            try CompactDawidSkene(maxIterations: 0).fit(try CompactAnswers(arrow: Repository.file("Tests/ArrowFixtures/pyarrow-dictionary.arrow").path))
        }
    }
}
