import Foundation
import Testing
import TallyTestSupport

/// `tally convert` and `tally synth`, and `.arrow` input wherever answers are read.
@Suite struct ArrowCLITests {
    var toy: String { Repository.file("datasets/toy/answers.tsv").path }

    @Test func convertRoundTripGivesTheSameLabelsAndRows() throws {
        try withTempDirectory("tally-arrow") { dir in
            let c = try CLI.run(["convert", toy, "toy.arrow", "--rows-per-batch", "5"], in: dir)
            #expect(c.status == 0, "\(c.stderr)")
            #expect(c.stderr.contains("read 24 answers"))
            for method in ["mv", "ds", "glad"] {
                let a = try CLI.run(["aggregate", toy, "--method", method, "--probabilities", "p-tsv.tsv", "--out", "l-tsv.tsv"], in: dir)
                let b = try CLI.run(["aggregate", "toy.arrow", "--method", method, "--probabilities", "p-arrow.tsv", "--out", "l-arrow.tsv"], in: dir)
                #expect(a.status == 0 && b.status == 0, "\(b.stderr)")
                #expect(readText(dir, "l-tsv.tsv") == readText(dir, "l-arrow.tsv"), "\(method) labels")
                #expect(readText(dir, "p-tsv.tsv") == readText(dir, "p-arrow.tsv"), "\(method) probabilities")
            }
            // The default .arrow holds the rows grouped by task (first appearance, each task's rows
            // in input order); --row-order input keeps the input's order.
            let back = try CLI.run(["convert", "toy.arrow", "back.tsv", "-q"], in: dir)
            #expect(back.status == 0 && back.stderr.isEmpty)
            let original = try String(contentsOfFile: toy, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").prefix(3).joined(separator: "\t") }
            var firstSeen: [Substring: Int] = [:]
            for row in original.dropFirst() {
                let task = row.split(separator: "\t")[0]
                if firstSeen[task] == nil { firstSeen[task] = firstSeen.count }
            }
            let grouped = [original[0]] + original.dropFirst().enumerated()
                .sorted { (firstSeen[$0.element.split(separator: "\t")[0]]!, $0.offset) < (firstSeen[$1.element.split(separator: "\t")[0]]!, $1.offset) }
                .map(\.element)
            #expect(readText(dir, "back.tsv")?.split(separator: "\n").map(String.init) == grouped)
            let kept = try CLI.run(["convert", toy, "input.arrow", "--row-order", "input", "-q"], in: dir)
            let again = try CLI.run(["convert", "input.arrow", "again.tsv", "-q"], in: dir)
            #expect(kept.status == 0 && again.status == 0, "\(kept.stderr) \(again.stderr)")
            #expect(readText(dir, "again.tsv")?.split(separator: "\n").map(String.init) == original)
        }
    }

    @Test func badArrowInputExits65AndAnUnwritableOutput73() throws {
        try withTempDirectory("tally-arrow") { dir in
            let null = Repository.file("Tests/ArrowFixtures/null-worker-row-4.arrow").path
            let r = try CLI.run(["aggregate", null, "--method", "mv"], in: dir)
            #expect(r.status == 65 && r.stderr.contains("field 'worker'") && r.stderr.contains("null at row 4"), "\(r.stderr)")
            let lz4 = try CLI.run(["aggregate", Repository.file("Tests/ArrowFixtures/lz4.arrow").path, "--method", "mv"], in: dir)
            #expect(lz4.status == 65 && lz4.stderr.contains("LZ4"), "\(lz4.stderr)")
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder.arrow"), withIntermediateDirectories: true)
            let w = try CLI.run(["convert", toy, "folder.arrow"], in: dir)
            #expect(w.status == 73, "\(w.stderr)")
        }
    }

    @Test func synthIsDeterministicWhateverTheThreadsAndRecoversTheTruth() throws {
        try withTempDirectory("tally-synth") { dir in
            let base = ["synth", "--tasks", "3000", "--workers", "60", "--overlap", "5", "--classes", "3", "--crowd", "confusion",
                        "--accuracy", "uniform:0.6,0.9", "--spammers", "0.1", "--no-sync"]
            let args = base + ["--seed", "5"]
            let one = try CLI.run(args + ["--threads", "1", "--out-dir", "one"], in: dir)
            let two = try CLI.run(args + ["--threads", "2", "--out-dir", "two"], in: dir)
            #expect(one.status == 0 && two.status == 0, "\(one.stderr)\(two.stderr)")
            #expect(one.stderr.contains("synth: 15000 answers"))
            for f in ["answers.arrow", "gold.tsv", "workers.tsv"] {
                #expect(try Data(contentsOf: dir.appendingPathComponent("one/\(f)")) == Data(contentsOf: dir.appendingPathComponent("two/\(f)")), "\(f)")
            }
            #expect(readText(dir, "one/gold.tsv")?.split(separator: "\n").count == 3001)
            #expect(readText(dir, "one/workers.tsv")?.split(separator: "\n").first?.split(separator: "\t").count == 3 + 9)
            let a = try CLI.run(["aggregate", "one/answers.arrow", "--method", "ds", "--gold", "one/gold.tsv", "--out", "labels.tsv"], in: dir)
            #expect(a.status == 0, "\(a.stderr)")
            #expect(a.stderr.contains("read 15000 answers: 3000 tasks, 60 workers, 3 labels"))
            let e = try CLI.run(["evaluate", "labels.tsv", "--gold", "one/gold.tsv", "--report", "json"], in: dir)
            let report = try JSONSerialization.jsonObject(with: e.stdoutData) as? [String: Any]
            let accuracy = try #require(report?["accuracy"] as? Double)
            #expect(accuracy > 0.9, "ds on a 5-overlap crowd of accuracy 0.6-0.9: \(accuracy)")
            let other = try CLI.run(base + ["--seed", "6", "--out-dir", "six", "-q"], in: dir)
            #expect(other.status == 0)
            #expect(try Data(contentsOf: dir.appendingPathComponent("six/answers.arrow")) != Data(contentsOf: dir.appendingPathComponent("one/answers.arrow")))
        }
    }

    @Test func synthRefusesImpossibleSettings() throws {
        try withTempDirectory("tally-synth") { dir in
            let r = try CLI.run(["synth", "--tasks", "10", "--workers", "3", "--overlap", "5", "--out-dir", "x"], in: dir)
            #expect(r.status != 0 && r.stderr.contains("overlap"), "\(r.stderr)")
            let a = try CLI.run(["synth", "--tasks", "10", "--accuracy", "1.5", "--out-dir", "x"], in: dir)
            #expect(a.status != 0 && a.stderr.contains("--accuracy"), "\(a.stderr)")
        }
    }
}
