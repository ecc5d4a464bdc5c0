import Foundation
import Testing
import TallyTestSupport

/// Bad input through the command line: exit status, the one error line on stderr, and no output
/// file created or changed.
@Suite("tally: errors")
struct CLIErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let file: String
        let bytes: [UInt8]
        var extraFiles: [String: String] = [:]
        var args: [String] = []
        var status: Int32 = 65
        /// All of stderr, without the final newline.
        let stderr: String
        var testDescription: String { name }
    }

    static func b(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let crowdkitMissing = "expected a header naming task, worker (or performer) and label"
    static let empty = "empty value; every answer needs a task, a worker and a label"
    static let utf8 = "invalid UTF-8; expected text in UTF-8"
    static let unterminated = "unterminated quoted field: a field opened with \" is not closed before the end of the file"
    static let tolokaHeader = "INPUT:x\tOUTPUT:y\tGOLDEN:y\tASSIGNMENT:worker_id\tASSIGNMENT:status\n"

    static let cases: [Case] = [
        Case(name: "missing column", file: "bad.tsv", bytes: b("task\tlabel\nt1\ta\n"),
             stderr: "tally: error: bad.tsv:1: field 'worker': missing column; \(crowdkitMissing), found 'task', 'label'"),
        Case(name: "ragged row: too few fields", file: "bad.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\nt2\tw2\n"),
             stderr: "tally: error: bad.tsv:3: field 'label': row has 2 fields, expected 3 as in the header"),
        Case(name: "ragged row: too many fields", file: "bad.csv", bytes: b("task,worker,label\nt1,w1,a,b\n"),
             stderr: "tally: error: bad.csv:2: field 'column 4': row has 4 fields, expected 3 as in the header"),
        Case(name: "ragged row after a multi-line field", file: "bad.csv", bytes: b("task,worker,label\n\"t\n1\",w1,a\nt2,w2\n"),
             stderr: "tally: error: bad.csv:4: field 'label': row has 2 fields, expected 3 as in the header"),
        Case(name: "unterminated quote", file: "bad.csv", bytes: b("task,worker,label\nt1,w1,a\nt2,w2,\"open\nmore\n"),
             stderr: "tally: error: bad.csv:3: field 'label': \(unterminated)"),
        Case(name: "invalid UTF-8 in a task", file: "bad.tsv", bytes: b("task\tworker\tlabel\n") + [0xFF] + b("\tw1\ta\n"),
             stderr: "tally: error: bad.tsv:2: field 'task': \(utf8)"),
        Case(name: "invalid UTF-8 in a worker", file: "bad.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\nt1\tw") + [0xC3, 0x28] + b("\ta\n"),
             stderr: "tally: error: bad.tsv:3: field 'worker': \(utf8)"),
        Case(name: "invalid UTF-8 in a label", file: "bad.csv", bytes: b("label,task,worker\n") + [0xE2, 0x82] + b(",t1,w1\n"),
             stderr: "tally: error: bad.csv:2: field 'label': \(utf8)"),
        Case(name: "empty file", file: "bad.tsv", bytes: [],
             stderr: "tally: error: bad.tsv: the file is empty; expected a header line"),
        Case(name: "header only", file: "bad.tsv", bytes: b("task\tworker\tlabel\n"),
             stderr: "tally: error: bad.tsv: no answers: the file has a header but no answer rows"),
        Case(name: "empty field", file: "bad.tsv", bytes: b("task\tworker\tlabel\nt1\t\ta\n"),
             stderr: "tally: error: bad.tsv:2: field 'worker': \(empty)"),
        Case(name: "invalid JSON line", file: "bad.jsonl", bytes: b("{\"task\": \"t\", \"worker\": \"w\", \"label\": \"a\"}\n{\"task\": \n"),
             stderr: "tally: error: bad.jsonl:2: invalid JSON (expected a value); expected one object per line like {\"task\": \"t1\", \"worker\": \"w1\", \"label\": \"yes\"}"),
        Case(name: "JSON line without a label", file: "bad.jsonl", bytes: b("\n{\"task\": \"t\", \"worker\": \"w\"}\n"),
             stderr: "tally: error: bad.jsonl:2: field 'label': missing key; expected task, worker (or performer) and label"),
        Case(name: "conflicting golden answers in a Toloka export", file: "bad.tsv",
             bytes: b(tolokaHeader + "q\ta\ta\tw1\tAPPROVED\nq\tb\tb\tw2\tAPPROVED\n"),
             stderr: "tally: error: bad.tsv:3: field 'GOLDEN:y': task 'q' has two golden answers, 'a' and 'b'"),
        Case(name: "Toloka export without a worker column", file: "bad.tsv", bytes: b("INPUT:x\tOUTPUT:y\nq\ta\n"),
             stderr: "tally: error: bad.tsv:1: field 'ASSIGNMENT:worker_id': missing column; a Toloka export names the worker in ASSIGNMENT:worker_id, found 'INPUT:x', 'OUTPUT:y'"),
        Case(name: "conflicting gold labels in a --gold file", file: "answers.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\n"),
             extraFiles: ["gold.tsv": "task\tlabel\nt1\ta\nt2\tb\nt1\tb\n"], args: ["--gold", "gold.tsv", "-q"],
             stderr: "tally: error: gold.tsv:4: field 'label': task 't1' has two gold labels, 'a' and 'b'"),
        Case(name: "ragged row in a --gold file", file: "answers.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\n"),
             extraFiles: ["gold.csv": "task,label,note\nt1,a,b,c\n"], args: ["--gold", "gold.csv", "-q"],
             stderr: "tally: error: gold.csv:2: field 'column 4': row has 4 fields, expected 3 as in the header"),
        Case(name: "file not found", file: "present.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\n"), args: ["--input-format", "auto"], status: 66,
             stderr: "tally: error: nope.tsv: no such file"),
        Case(name: "--gold file not found", file: "answers.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\n"), args: ["--gold", "nope.tsv", "-q"], status: 66,
             stderr: "tally: error: nope.tsv: no such file"),
        Case(name: "--weights file with a bad skill", file: "answers.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\n"),
             extraFiles: ["w.tsv": "worker\tskill\nw1\thigh\n"], args: ["--weights", "w.tsv", "-q"],
             stderr: "tally: error: w.tsv:2: field 'skill': 'high' is not a number; expected a finite skill such as 0.8"),
    ]

    static func prepare(_ c: Case, in dir: URL) throws {
        try writeFile(dir, c.file, c.bytes)
        for (name, text) in c.extraFiles { try writeFile(dir, name, text) }
        try writeFile(dir, "labels.tsv", "task\tlabel\ngood\tresult\n")
    }

    static func input(_ c: Case) -> String { c.name == "file not found" ? "nope.tsv" : c.file }

    @Test("bad input: exit status, one error line naming file:line and field, existing output untouched", arguments: cases)
    func badInput(_ c: Case) throws {
        try withTempDirectory { dir in
            try Self.prepare(c, in: dir)
            let before = try listing(dir)
            let out = try CLI.run(["aggregate", Self.input(c), "--out", "labels.tsv", "--probabilities", "p.tsv", "--skills", "s.tsv"] + c.args, in: dir)
            #expect(out.status == c.status)
            #expect(out.stderr.hasPrefix("tally: error: "))
            #expect(out.stderr == c.stderr + "\n")
            #expect(out.stdout.isEmpty)
            #expect(readText(dir, "labels.tsv") == "task\tlabel\ngood\tresult\n", "the existing output is left as it was")
            #expect(try listing(dir) == before, "no output or temporary file is created")
        }
    }

    @Test("bad input: no output file is created", arguments: cases)
    func badInputNewOutput(_ c: Case) throws {
        try withTempDirectory { dir in
            try Self.prepare(c, in: dir)
            let before = try listing(dir)
            let out = try CLI.run(["aggregate", Self.input(c), "--out", "new.json"] + c.args, in: dir)
            #expect(out.status == c.status)
            #expect(out.stderr == c.stderr + "\n")
            #expect(try listing(dir) == before)
        }
    }

    @Test("bad input on stdin is reported as <stdin>")
    func badStdin() throws {
        try withTempDirectory { dir in
            let out = try CLI.run(["aggregate", "-", "--out", "labels.tsv"], in: dir, stdin: Data("task,worker,label\nt1,w1,a\nt2,,b\n".utf8))
            #expect(out.status == 65)
            #expect(out.stderr == "tally: error: <stdin>:3: field 'worker': \(Self.empty)\n")
            #expect(try listing(dir).isEmpty)
        }
    }

    @Test("evaluate: bad files", arguments: [
        ("task\tlabel\nt1\ta\n", "task\tlabel\nt1\ta\nt1\tb\n", Int32(65), "tally: error: gold.tsv:3: field 'label': task 't1' has two gold labels, 'a' and 'b'"),
        ("task\tprediction\nt1\ta\n", "task\tlabel\nt1\ta\n", 65, "tally: error: pred.tsv:1: field 'label': missing column; expected a header naming task and label (or true_label), found 'task', 'prediction'"),
        ("task\tlabel\n", "task\tlabel\nt1\ta\n", 65, "tally: error: pred.tsv: no rows: the file has a header but no task labels"),
        ("task\tlabel\nt1\ta\n", "", 65, "tally: error: gold.tsv: the file is empty; expected a header naming task and label (or true_label)"),
    ])
    func evaluateBadFiles(pred: String, gold: String, status: Int32, stderr: String) throws {
        try withTempDirectory { dir in
            try writeFile(dir, "pred.tsv", pred)
            try writeFile(dir, "gold.tsv", gold)
            let out = try CLI.run(["evaluate", "pred.tsv", "--gold", "gold.tsv"], in: dir)
            #expect(out.status == status)
            #expect(out.stderr == stderr + "\n")
            #expect(out.stdout.isEmpty)
        }
    }

    @Test("evaluate: a missing file exits 66")
    func evaluateMissingFile() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "gold.tsv", "task\tlabel\nt1\ta\n")
            let out = try CLI.run(["evaluate", "nope.tsv", "--gold", "gold.tsv"], in: dir)
            #expect(out.status == 66)
            #expect(out.stderr == "tally: error: nope.tsv: no such file\n")
        }
    }

    @Test("an output in a missing directory: exit 73, nothing written")
    func outputDirectoryMissing() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", "task\tworker\tlabel\nt1\tw1\ta\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "-q", "--out", "missing/labels.tsv"], in: dir)
            #expect(out.status == 73)
            #expect(out.stderr.hasPrefix("tally: error: missing/labels.tsv: cannot create a temporary file in "), "stderr: \(out.stderr)")
            #expect(try listing(dir) == ["answers.tsv"])
        }
    }

    @Test("a write that fails midway (file size limit): exit 73, the existing file untouched, no temporary file")
    func writeFailsMidway() throws {
        try withTempDirectory { dir in
            var text = "task\tworker\tlabel\n"
            for i in 0..<5000 { text += "task-number-\(i)\tw\(i % 3)\tlabel-\(i % 4)\n" }
            try writeFile(dir, "answers.tsv", text)
            try writeFile(dir, "labels.tsv", "task\tlabel\ngood\tresult\n")
            // Ignore SIGXFSZ so that write(2) fails with EFBIG past 1 KiB (ulimit -f counts 512- or
            // 1024-byte blocks); the labels (~100 KB) cannot be written whole.
            let out = try CLI.runShell("trap '' XFSZ; ulimit -f 1 && exec \"$0\" \"$@\"", ["aggregate", "answers.tsv", "-q", "--out", "labels.tsv"], in: dir)
            #expect(out.status == 73, "stderr: \(out.stderr)")
            #expect(out.stderr.hasPrefix("tally: error: labels.tsv: write failed: "), "stderr: \(out.stderr)")
            #expect(readText(dir, "labels.tsv") == "task\tlabel\ngood\tresult\n")
            #expect(try listing(dir) == ["answers.tsv", "labels.tsv"])
        }
    }
}
