import Foundation
import Testing
import TallyCore
import TallyReports
import TallyTestSupport

@Suite("tally bench")
struct BenchTests {
    @Test("toy set scored, a broken folder skipped, the best method marked, published values joined")
    func toyAndBroken() throws {
        let dir = try makeTempDirectory("tally-bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        let toy = dir.appendingPathComponent("toy"), broken = dir.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: toy, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        for f in ["answers.tsv", "gold.tsv"] {
            try FileManager.default.copyItem(at: Repository.file("datasets/toy/\(f)"), to: toy.appendingPathComponent(f))
        }
        try Data("task\tworker\nt1\tw1\n".utf8).write(to: broken.appendingPathComponent("answers.tsv"))
        try Data("task\tlabel\nt1\ta\n".utf8).write(to: broken.appendingPathComponent("gold.tsv"))

        let (rows, skipped) = Bench(methods: try BenchMethod.named("mv,ds")).run(directory: dir.path, published: ["toy\tmv": 0.8])
        #expect(skipped.count == 1 && skipped[0].dataset == "broken")
        #expect(skipped.first?.reason.contains("missing column") == true)
        let mv = try #require(rows.first { $0.method == "mv" })
        let ds = try #require(rows.first { $0.method == "ds" })
        // crowd-kit on the toy set: MV labels t1 wrong (a 2–2 tie goes to "no"), DS all right.
        #expect(mv.accuracy == 0.8 && ds.accuracy == 1.0)
        #expect(ds.best && !mv.best)
        #expect(mv.published == 0.8 && ds.published == nil)
        #expect(ds.iterations == 6)

        let md = BenchReport.markdown(rows, skipped: skipped)
        #expect(md.contains("| toy | 0.8000 (0.800) | **1.0000** |"), "\(md)")
        #expect(BenchReport.tsv(rows).split(separator: "\n").count == 3)
        #expect(try BenchReport.json(rows, skipped: skipped).contains("\"skipped\""))
    }

    @Test("a data set with numeric answers (more labels than maxLabels) is skipped")
    func numericSkipped() throws {
        let dir = try makeTempDirectory("tally-bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scores = dir.appendingPathComponent("scores")
        try FileManager.default.createDirectory(at: scores, withIntermediateDirectories: true)
        var answers = "task\tworker\tlabel\n"
        for i in 0..<60 { answers += "t\(i)\tw1\t\(i)\n" }
        try Data(answers.utf8).write(to: scores.appendingPathComponent("answers.tsv"))
        try Data("task\tlabel\nt1\t1\n".utf8).write(to: scores.appendingPathComponent("gold.tsv"))
        let (rows, skipped) = Bench(methods: try BenchMethod.named("mv"), maxLabels: 50).run(directory: dir.path)
        #expect(rows.isEmpty)
        #expect(skipped.first?.reason.contains("60 distinct labels") == true)
    }

    @Test("a data set whose gold names no answered task is skipped, and the results still write as JSON")
    func noScorableGold() throws {
        let dir = try makeTempDirectory("tally-bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        let set = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        try Data("task\tworker\tlabel\nt1\tw1\tx\nt1\tw2\ty\n".utf8).write(to: set.appendingPathComponent("answers.tsv"))
        try Data("task\tlabel\nzz\tx\n".utf8).write(to: set.appendingPathComponent("gold.tsv"))
        let (rows, skipped) = Bench(methods: try BenchMethod.named("mv,ds")).run(directory: dir.path)
        #expect(rows.isEmpty)
        #expect(skipped.first?.reason.contains("no gold task has an answer") == true)
        #expect(try BenchReport.json(rows, skipped: skipped).contains("no gold task"))
    }

    @Test("unknown method names are refused")
    func unknownMethod() {
        #expect(throws: (any Error).self) { try BenchMethod.named("mv,glaad") }
    }
}
