import Foundation
import Testing
import TallyTestSupport

/// `tally aggregate` on answers that are not categorical: pairwise comparisons, numbers, label
/// sets and texts.
@Suite("aggregate: answer types")
struct AnswerKindsCLITests {
    static let comparisons = "worker,left,right,label\nw1,a,b,a\nw1,b,c,b\nw2,c,a,a\nw2,a,c,c\nw3,b,a,b\n"

    @Test("bt reads pairwise comparisons (detected from the header) and writes item, score by rank")
    func bt() throws {
        try withTempDirectory { dir in
            _ = try writeFile(dir, "cmp.csv", Self.comparisons)
            let r = try CLI.run(["aggregate", "cmp.csv", "--method", "bt", "--out", "scores.tsv"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("read 5 comparisons: 3 items, 3 workers"))
            let rows = try #require(readText(dir, "scores.tsv")).split(separator: "\n").map { $0.split(separator: "\t") }
            #expect(rows.first == ["item", "score"] && rows.count == 4)
            let scores = rows.dropFirst().map { Double(String($0[1]))! }
            #expect(scores == scores.sorted(by: >) && abs(scores.reduce(0, +) - 1) < 1e-12)
            let noisy = try CLI.run(["aggregate", "cmp.csv", "--method", "noisy-bt", "--out", "n.json", "--skills", "skills.tsv"], in: dir)
            #expect(noisy.status == 0, "\(noisy.stderr)")
            #expect(try #require(readText(dir, "skills.tsv")).hasPrefix("worker\tskill\n"))
            #expect(try #require(readText(dir, "n.json")).contains("\"item\": "))
        }
    }

    @Test("a method that does not take the input's kind is refused (exit 65), naming the methods that do")
    func refused() throws {
        try withTempDirectory { dir in
            _ = try writeFile(dir, "cmp.csv", Self.comparisons)
            let mv = try CLI.run(["aggregate", "cmp.csv", "--method", "mv", "--out", "l.tsv"], in: dir)
            #expect(mv.status == 65 && mv.stderr.contains("pairwise") && mv.stderr.contains("bt"), "\(mv.stderr)")
            #expect(readText(dir, "l.tsv") == nil)
            let toy = Repository.root.appendingPathComponent("datasets/toy/answers.tsv").path
            let bt = try CLI.run(["aggregate", toy, "--method", "bt", "--out", "s.tsv"], in: dir)
            #expect(bt.status == 65 && bt.stderr.contains("categorical"), "\(bt.stderr)")
            let asPairwise = try CLI.run(["aggregate", toy, "--answer-type", "pairwise", "--method", "bt"], in: dir)
            #expect(asPairwise.status == 65 && asPairwise.stderr.contains("left"), "\(asPairwise.stderr)")
        }
    }

    @Test("bad input of each kind: exit 65 with file, line and field", arguments: [
        ("numeric", "task\tworker\tvalue\nt1\tw1\t4\nt1\tw2\tfour\n", "ans.tsv:3", "value"),
        ("pairwise", "worker\tleft\tright\tlabel\nw1\ta\ta\ta\n", "ans.tsv:2", "right"),
        ("text", "task\tworker\ttext\nt1\tw1\t\u{FFFD}\n", "", ""),
    ])
    func badInput(type: String, text: String, location: String, field: String) throws {
        try withTempDirectory { dir in
            var bytes = Array(text.utf8)
            if type == "text" {  // a lone continuation byte: invalid UTF-8 on line 2
                bytes = Array("task\tworker\ttext\nt1\tw1\tbad ".utf8) + [0x80, 0x0A]
            }
            _ = try writeFile(dir, "ans.tsv", bytes)
            let r = try CLI.run(["aggregate", "ans.tsv", "--answer-type", type, "--method", type == "pairwise" ? "bt" : "mv", "--out", "o.tsv"], in: dir)
            #expect(r.status == 65, "\(type): \(r.stderr)")
            if type == "text" {
                #expect(r.stderr.contains("ans.tsv:2") && r.stderr.contains("text") && r.stderr.contains("UTF-8"), "\(r.stderr)")
            } else {
                #expect(r.stderr.contains(location) && r.stderr.contains(field), "\(type): \(r.stderr)")
            }
            #expect(readText(dir, "o.tsv") == nil)
        }
    }

    @Test("tally methods shows the answer types")
    func listing() throws {
        let r = try CLI.run(["methods"], in: Repository.root)
        #expect(r.status == 0 && r.stdout.contains("answers: pairwise"))
    }
}
