import Foundation
import Testing
import TallyTestSupport

/// `tally aggregate` with rover and binary-relevance, `tally evaluate --answer-type text` (word
/// error rate), and the bad-input cases of issue 15 through the methods of each kind.
@Suite("aggregate/evaluate: transcriptions and multi-label")
struct TextMultiLabelCLITests {
    static let speech = "task\tworker\ttext\nt1\tw1\ta b c d\nt1\tw2\tb z d e\nt1\tw3\tb c d e f\nt2\tw1\thello world\nt2\tw2\thello word\nt2\tw3\thello world\n"

    @Test("rover writes task, text; evaluate scores it by word error rate (corpus and per task)")
    func roverAndWER() throws {
        try withTempDirectory { dir in
            _ = try writeFile(dir, "speech.tsv", Self.speech)
            _ = try writeFile(dir, "gold.tsv", "task\ttext\nt1\tb c d e\nt2\thello there world\n")
            let r = try CLI.run(["aggregate", "speech.tsv", "--answer-type", "text", "--method", "rover", "--out", "texts.tsv"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(readText(dir, "texts.tsv") == "task\ttext\nt1\tb c d e\nt2\thello world\n")
            let space = try CLI.run(["aggregate", "speech.tsv", "--answer-type", "text", "--method", "rover", "--tokenizer", "space", "--out", "s.tsv"], in: dir)
            #expect(space.status == 0 && readText(dir, "s.tsv") == readText(dir, "texts.tsv"), "\(space.stderr)")
            let e = try CLI.run(["evaluate", "texts.tsv", "--gold", "gold.tsv", "--answer-type", "text", "--out", "wer.tsv"], in: dir)
            #expect(e.status == 0, "\(e.stderr)")
            // t1: 0 errors over 4 words; t2: one deletion (there) over 3 words → 1/7 overall, mean (0 + 1/3) / 2.
            #expect(e.stdout.contains("scored 2 of 2 gold tasks") && e.stdout.contains("WER            0.1429") && e.stdout.contains("mean task WER  0.1667"), "\(e.stdout)")
            let rows = try #require(readText(dir, "wer.tsv")).split(separator: "\n")
            #expect(rows.first == "task\twer\terrors\treference_words\tsubstitutions\tdeletions\tinsertions" && rows.count == 3)
            let json = try CLI.run(["evaluate", "texts.tsv", "--gold", "gold.tsv", "--answer-type", "text", "--report", "json"], in: dir)
            #expect(json.status == 0 && json.stdout.contains("\"deletions\": 1"), "\(json.stdout)")
            let mv = try CLI.run(["aggregate", "speech.tsv", "--answer-type", "text", "--method", "mv"], in: dir)
            #expect(mv.status == 65 && mv.stderr.contains("rover"), "\(mv.stderr)")
        }
    }

    @Test("binary-relevance with --base-method writes task, labels as a JSON list (a quoted TSV cell)")
    func binaryRelevance() throws {
        try withTempDirectory { dir in
            _ = try writeFile(dir, "tags.csv", "task,worker,label\nt1,w1,\"['house', 'tree']\"\nt1,w2,['house']\nt1,w3,\"['house', 'tree', 'grass']\"\nt2,w1,['car']\nt2,w2,\"['car', 'human']\"\nt2,w3,['train']\n")
            for base in ["mv", "ds", "glad"] {
                let r = try CLI.run(["aggregate", "tags.csv", "--answer-type", "multi-label", "--method", "binary-relevance", "--base-method", base, "--out", "sets.tsv"], in: dir)
                #expect(r.status == 0, "\(base): \(r.stderr)")
                #expect(readText(dir, "sets.tsv") == "task\tlabels\nt1\t\"[\"\"house\"\", \"\"tree\"\"]\"\nt2\t\"[\"\"car\"\"]\"\n", "\(base): \(readText(dir, "sets.tsv") ?? "")")
            }
            let bad = try CLI.run(["aggregate", "tags.csv", "--answer-type", "multi-label", "--method", "binary-relevance", "--base-method", "bt"], in: dir)
            #expect(bad.status == 65 && bad.stderr.contains("categorical"), "\(bad.stderr)")
        }
    }

    @Test("bad input through each kind's own method: exit 65 with file, line and field", arguments: [
        ("numeric", "mean", "ans.tsv:3", "value"),
        ("pairwise", "bt", "ans.tsv:2", "right"),
        ("text", "rover", "ans.tsv:2", "text"),
    ])
    func badInput(type: String, method: String, location: String, field: String) throws {
        try withTempDirectory { dir in
            let bytes: [UInt8]
            switch type {
            case "numeric": bytes = Array("task\tworker\tvalue\nt1\tw1\t4\nt1\tw2\tfour\n".utf8)
            case "pairwise": bytes = Array("worker\tleft\tright\tlabel\nw1\ta\ta\ta\n".utf8)
            default: bytes = Array("task\tworker\ttext\nt1\tw1\tbad ".utf8) + [0xC3, 0x28, 0x0A]  // a lead byte without its continuation
            }
            _ = try writeFile(dir, "ans.tsv", bytes)
            let r = try CLI.run(["aggregate", "ans.tsv", "--answer-type", type, "--method", method, "--out", "o.tsv"], in: dir)
            #expect(r.status == 65, "\(type): \(r.stderr)")
            #expect(r.stderr.contains(location) && r.stderr.contains(field), "\(type): \(r.stderr)")
            if type == "text" { #expect(r.stderr.contains("UTF-8"), "\(r.stderr)") }
            if type == "numeric" { #expect(r.stderr.contains("not a number"), "\(r.stderr)") }
            if type == "pairwise" { #expect(r.stderr.contains("twice"), "\(r.stderr)") }
            #expect(readText(dir, "o.tsv") == nil)
        }
    }

    @Test("evaluate --answer-type text: invalid UTF-8 in the gold transcripts is exit 65 with file and line")
    func badGold() throws {
        try withTempDirectory { dir in
            _ = try writeFile(dir, "texts.tsv", "task\ttext\nt1\thello\n")
            _ = try writeFile(dir, "gold.tsv", Array("task\ttext\nt1\the".utf8) + [0xFF, 0x0A])
            let r = try CLI.run(["evaluate", "texts.tsv", "--gold", "gold.tsv", "--answer-type", "text"], in: dir)
            #expect(r.status == 65 && r.stderr.contains("gold.tsv:2") && r.stderr.contains("text") && r.stderr.contains("UTF-8"), "\(r.stderr)")
            let agreement = try CLI.run(["evaluate", "--answers", "texts.tsv", "--answer-type", "text"], in: dir)
            #expect(agreement.status != 0 && agreement.stderr.contains("word error rate"), "\(agreement.stderr)")
        }
    }
}
