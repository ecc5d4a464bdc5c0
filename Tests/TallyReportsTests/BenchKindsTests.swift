import Foundation
import Testing
import TallyAggregation
import TallyCore
import TallyReports
import TallyTestSupport

/// `tally bench` over data sets of every answer type: each runs the methods that take its kind,
/// scored with the kind's metric; the tables group rows by type.
@Suite("tally bench: every answer type")
struct BenchKindsTests {
    /// A folder of five data sets: numeric (named by dataset.json), numbers as categorical labels
    /// (read as numeric), pairwise (told by the header), text, and categorical in answers.arrow.
    static func folder() throws -> URL {
        let dir = try makeTempDirectory("tally-bench-kinds")
        func set(_ name: String, _ files: [String: String]) throws {
            let d = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            for (f, text) in files { try Data(text.utf8).write(to: d.appendingPathComponent(f)) }
        }
        // Truth 10·i; w1 answers +1, w2 −1, w3 +4: the mean is off by 4/3, the median by 1.
        var answers = "task\tworker\tlabel\n", gold = "task\tlabel\n"
        for i in 1...10 {
            for (w, d) in [("w1", 1), ("w2", -1), ("w3", 4)] { answers += "t\(i)\t\(w)\t\(10 * i + d)\n" }
            gold += "t\(i)\t\(10 * i)\n"
        }
        try set("ages", ["answers.tsv": answers, "gold.tsv": gold, "dataset.json": "{\"answer_type\": \"numeric\"}\n"])
        // 60 distinct numbers as categorical labels (more than --max-labels): numeric answers.
        var many = "task\tworker\tlabel\n", manyGold = "task\tlabel\n"
        for i in 0..<30 { many += "t\(i)\tw1\t\(2 * i)\nt\(i)\tw2\t\(2 * i + 1)\n"; manyGold += "t\(i)\t\(2 * i)\n" }
        try set("numbers", ["answers.tsv": many, "gold.tsv": manyGold])
        // Comparisons all agreeing with a > b > c > d.
        var pairs = "worker\tleft\tright\tlabel\n"
        let items = ["a", "b", "c", "d"]
        for (n, w) in ["w1", "w2", "w3"].enumerated() {
            for i in 0..<4 { for j in (i + 1)..<4 { pairs += n % 2 == 0 ? "\(w)\t\(items[i])\t\(items[j])\t\(items[i])\n" : "\(w)\t\(items[j])\t\(items[i])\t\(items[i])\n" } }
        }
        try set("ranks", ["answers.tsv": pairs, "gold.tsv": "item\tscore\na\t4\nb\t3\nc\t2\nd\t1\n"])
        try set("typed", ["answers.tsv": "task\tworker\ttext\nt1\tw1\tthe cat\nt1\tw2\tthe cat\nt1\tw3\tthe hat\n", "gold.tsv": "task\ttext\nt1\tthe cat\n"])
        try set("tags", ["answers.tsv": "task\tworker\tlabels\nt1\tw1\t[\"a\", \"b\"]\nt1\tw2\t[\"a\"]\nt1\tw3\t[\"a\", \"b\"]\n",
                         "gold.tsv": "task\tlabels\nt1\t[\"a\", \"b\"]\n"])
        let toy = dir.appendingPathComponent("toy")
        try FileManager.default.createDirectory(at: toy, withIntermediateDirectories: true)
        try ArrowWriter.write(try AnswerReader.read(Repository.file("datasets/toy/answers.tsv").path).table, to: toy.appendingPathComponent("answers.arrow").path)
        try FileManager.default.copyItem(at: Repository.file("datasets/toy/gold.tsv"), to: toy.appendingPathComponent("gold.tsv"))
        return dir
    }

    @Test("--methods all: each data set runs the methods of its kind, scored with its metric")
    func everyKind() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Bench.datasets(in: dir.path) == ["ages", "numbers", "ranks", "tags", "toy", "typed"])
        let (rows, skipped) = Bench(methods: try BenchMethod.named("all")).run(directory: dir.path)
        let numericNames = MethodRegistry.methods(for: .numeric).filter { !$0.needsGold }.map(\.name)
        #expect(rows.filter { $0.dataset == "ages" }.map(\.method) == numericNames)
        let mean = try #require(rows.first { $0.dataset == "ages" && $0.method == "mean" })
        let median = try #require(rows.first { $0.dataset == "ages" && $0.method == "median" })
        #expect(mean.kind == .numeric && abs(mean.mae! - 4.0 / 3) < 1e-12 && abs(mean.rmse! - 4.0 / 3) < 1e-12)
        #expect(median.mae == 1 && median.accuracy.isNaN && median.goldTasks == 10)
        #expect(rows.filter { $0.dataset == "numbers" }.allSatisfy { $0.kind == .numeric && $0.mae != nil })
        let bt = try #require(rows.first { $0.dataset == "ranks" && $0.method == "bt" })
        #expect(bt.kind == .pairwise && bt.kendallTau == 1 && bt.spearmanRho == 1 && bt.tasks == 4 && bt.answers == 18)
        // The Arrow folder is categorical: MV 0.8 and DS 1.0 on the toy set, as from TSV.
        #expect(rows.first { $0.dataset == "toy" && $0.method == "mv" }?.accuracy == 0.8)
        #expect(rows.first { $0.dataset == "toy" && $0.method == "ds" }?.accuracy == 1.0)
        #expect(rows.filter { $0.dataset == "toy" }.allSatisfy { $0.kind == .categorical && $0.answerType == nil })
        if MethodRegistry.methods(for: .text).isEmpty {
            #expect(skipped.contains { $0.dataset == "typed" && $0.reason.contains("text answers, and none of the methods") })
        } else {
            #expect(rows.contains { $0.dataset == "typed" && $0.wer != nil })
        }
        if MethodRegistry.methods(for: .multiLabel).isEmpty {
            #expect(skipped.contains { $0.dataset == "tags" && $0.reason.contains("multi-label answers, and none of the methods") })
        } else {
            // Two of three workers give {a, b}: a per-tag majority gets the gold set exactly.
            #expect(rows.contains { $0.dataset == "tags" && $0.f1 != nil && $0.kind == .multiLabel })
        }
        // The best per data set by the kind's metric: the lowest MAE on ages is the median's (or a tie).
        let best = rows.filter { $0.dataset == "ages" && $0.best }
        #expect(!best.isEmpty && best.allSatisfy { $0.mae! <= median.mae! })

        let md = BenchReport.markdown(rows, skipped: skipped)
        #expect(md.contains("### categorical: accuracy") && md.contains("### numeric: MAE / RMSE") && md.contains("### pairwise: Kendall"))
        #expect(md.contains("| ranks |") && md.contains("**1.0000** / 1.0000"))
    }

    @Test("a named method that does not take the data set's kind is reported, not silently dropped")
    func refusal() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (rows, skipped) = Bench(methods: try BenchMethod.named("mv,catd")).run(directory: dir.path)
        #expect(rows.contains { $0.dataset == "toy" && $0.method == "mv" })
        #expect(!rows.contains { $0.method == "catd" && $0.dataset == "toy" })
        let toy = try #require(skipped.first { $0.dataset == "toy/catd" })
        #expect(toy.reason == "catd takes numeric answers; this data set's are categorical")
        #expect(skipped.first { $0.dataset == "ages/mv" }?.reason == "mv takes categorical answers; this data set's are numeric")
        // Only catd runs on ages.
        #expect(rows.filter { $0.dataset == "ages" }.map(\.method) == ["catd"])
        // No method for pairwise answers was named: the whole set is skipped with the reason.
        #expect(skipped.contains { $0.dataset == "ranks" && $0.reason.contains("pairwise answers, and none of the methods (mv, catd)") })
    }

    @Test("results of mixed kinds write and read back through results.json and results.tsv")
    func roundTrip() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (rows, skipped) = Bench(methods: try BenchMethod.named("mv,ds,mean,median,bt")).run(directory: dir.path)
        let out = dir.appendingPathComponent("out-json"), tsvOnly = dir.appendingPathComponent("out-tsv")
        for d in [out, tsvOnly] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try Data(try BenchReport.json(rows, skipped: skipped).utf8).write(to: out.appendingPathComponent("results.json"))
        let tsv = BenchReport.tsv(rows)
        try Data(tsv.utf8).write(to: tsvOnly.appendingPathComponent("results.tsv"))
        #expect(tsv.hasPrefix("dataset\tmethod\tanswers\ttasks\tgold_tasks\taccuracy\tmacro_f1\titerations\tseconds\tpeak_rss_mb\tbest\tpublished_accuracy\tanswer_type\tmae\t"))
        let json = try BenchResults.read(folder: out.path)
        #expect(json.rows.count == rows.count)
        #expect(json.rows.filter { $0.kind == .categorical } == rows.filter { $0.kind == .categorical })
        #expect(json.rows.map(\.kind) == rows.map(\.kind))
        #expect(json.rows.map { $0.mae } == rows.map { $0.mae })
        #expect(json.rows.map { $0.kendallTau } == rows.map { $0.kendallTau })
        let back = try BenchResults.read(folder: tsvOnly.path)
        #expect(back.rows.map(\.kind) == rows.map(\.kind))
        #expect(back.rows.map { $0.mae.map { ($0 * 1e4).rounded() } } == rows.map { $0.mae.map { ($0 * 1e4).rounded() } })
        // A categorical-only run writes the same columns as before kinds.
        #expect(!BenchReport.tsv(rows.filter { $0.kind == .categorical }).contains("answer_type"))
    }
}
