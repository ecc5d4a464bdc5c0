import Foundation
import Testing
import TallyTestSupport

@Suite("tally aggregate and evaluate")
struct AggregateEvaluateTests {
    static let answers = "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\ta\nt1\tw3\tb\nt2\tw1\tb\nt2\tw2\tb\nt2\tw3\tb\nt3\tw1\ta\nt3\tw2\tb\nt3\tw3\tb\n"

    @Test("mv on vldb-product, then evaluate: accuracy 0.8966 (7455/8315)")
    func vldbProduct() throws {
        let answers = try RealDatasets.answers("vldb-product").path
        let gold = try RealDatasets.gold("vldb-product").path
        try #require(FileManager.default.fileExists(atPath: answers), "missing dataset \(answers)")
        try #require(FileManager.default.fileExists(atPath: gold), "missing dataset \(gold)")
        try withTempDirectory { dir in
            let labels = dir.appendingPathComponent("labels.tsv").path
            let a = try CLI.run(["aggregate", answers, "--method", "mv", "--out", labels], in: dir)
            #expect(a.status == 0, "stderr: \(a.stderr)")
            #expect(a.stdout.isEmpty)
            #expect(a.stderr.contains("read 24945 answers: 8315 tasks, 176 workers, 2 labels"))
            let e = try CLI.run(["evaluate", labels, "--gold", gold], in: dir)
            #expect(e.status == 0, "stderr: \(e.stderr)")
            #expect(e.stdout.contains("accuracy  0.8966"), "stdout: \(e.stdout)")
            #expect(e.stdout.contains("(7455 correct)"))
            #expect(e.stdout.hasPrefix("scored 8315 of 8315 gold tasks\n"))
        }
    }

    @Test("evaluate --format json")
    func evaluateJSON() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "pred.tsv", "task\tlabel\nt1\ta\nt2\tb\nt3\tb\nt4\ta\n")
            try writeFile(dir, "gold.csv", "task,true_label\nt1,a\nt2,a\nt3,b\nt5,b\n")
            let out = try CLI.run(["evaluate", "pred.tsv", "--gold", "gold.csv", "--report", "json"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: out.stdoutData) as? [String: Any])
            #expect(json["scored"] as? Int == 3)
            #expect(json["gold_tasks"] as? Int == 4)
            #expect(json["correct"] as? Int == 2)
            // y_true [a, a, b], y_pred [a, b, b]: scikit-learn macro-F1 = 0.6666666666666666
            #expect(abs((json["macro_f1"] as? Double ?? .nan) - 0.6666666666666666) < 1e-12)
            #expect(abs((json["accuracy"] as? Double ?? .nan) - 0.6666666666666666) < 1e-12)
        }
    }

    @Test("evaluate: no gold task has a prediction → exit 65")
    func evaluateNothingScored() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "pred.tsv", "task\tlabel\nx\ta\n")
            try writeFile(dir, "gold.tsv", "task\tlabel\ny\ta\n")
            let out = try CLI.run(["evaluate", "pred.tsv", "--gold", "gold.tsv"], in: dir)
            #expect(out.status == 65)
            #expect(out.stderr == "tally: error: pred.tsv: no gold task has a prediction (its 1 tasks and the 1 of gold.tsv share no name); check that the task names match\n")
            #expect(out.stdout.isEmpty, "no report with an undefined accuracy")
        }
    }

    @Test("reading answers from - (stdin) gives the same labels as reading the file", arguments: ["tsv", "csv"])
    func stdin(ext: String) throws {
        try withTempDirectory { dir in
            let text = ext == "csv" ? Self.answers.replacingOccurrences(of: "\t", with: ",") : Self.answers
            try writeFile(dir, "answers.\(ext)", text)
            let fromFile = try CLI.run(["aggregate", "answers.\(ext)", "-q"], in: dir)
            let fromStdin = try CLI.run(["aggregate", "-", "-q", "--out", "-"], in: dir, stdin: Data(text.utf8))
            #expect(fromStdin.status == 0, "stderr: \(fromStdin.stderr)")
            #expect(fromStdin.stderr.isEmpty)
            #expect(fromStdin.stdout == "task\tlabel\nt1\ta\nt2\tb\nt3\tb\n")
            #expect(fromFile.stdout == fromStdin.stdout)
        }
    }

    @Test("JSON Lines through stdin")
    func jsonlStdin() throws {
        let text = """
            {"task": "t1", "worker": "w1", "label": 1}
            {"task": "t1", "performer": "w2", "label": 1}

            {"task": "t2", "worker": "w1", "label": "10"}

            """
        try withTempDirectory { dir in
            let out = try CLI.run(["aggregate", "-", "-q"], in: dir, stdin: Data(text.utf8))
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stdout == "task\tlabel\nt1\t1\nt2\t10\n")
        }
    }

    @Test("a large input through stdin (several pipe buffers, past the 4 MiB chunk)")
    func largeStdin() throws {
        var text = "task,worker,label\n"
        for i in 0..<200_000 { text += "task-\(i % 50_000),worker-\(i % 7),\(i % 3 == 0 ? "\"x,y\"" : "z")\n" }
        #expect(text.utf8.count > 4 << 20)
        try withTempDirectory { dir in
            let out = try CLI.run(["aggregate", "-", "--out", "labels.tsv"], in: dir, stdin: Data(text.utf8))
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("read 200000 answers: 50000 tasks, 7 workers, 2 labels"))
            let labels = try #require(readText(dir, "labels.tsv"))
            #expect(labels.split(separator: "\n").count == 50_001)
        }
    }

    @Test("evaluate reads predictions from - (stdin)")
    func evaluateStdin() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "gold.tsv", "task\tlabel\nt1\ta\nt2\tb\n")
            let out = try CLI.run(["evaluate", "-", "--gold", "gold.tsv"], in: dir, stdin: Data("task\tlabel\nt1\ta\nt2\ta\n".utf8))
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stdout.contains("accuracy  0.5000  (1 correct)"))
        }
    }

    @Test("--format json writes a JSON array")
    func formatJSON() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.answers)
            let out = try CLI.run(["aggregate", "answers.tsv", "--format", "json", "-q"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: out.stdoutData) as? [[String: String]])
            #expect(json == [["task": "t1", "label": "a"], ["task": "t2", "label": "b"], ["task": "t3", "label": "b"]])
        }
    }

    @Test("output format follows the --out extension", arguments: [
        ("labels.csv", "task,label\nt1,a\nt2,b\nt3,b\n"),
        ("labels.tsv", "task\tlabel\nt1\ta\nt2\tb\nt3\tb\n"),
        ("labels.out", "task\tlabel\nt1\ta\nt2\tb\nt3\tb\n"),
        ("labels.json", "[\n  {\"task\": \"t1\", \"label\": \"a\"},\n  {\"task\": \"t2\", \"label\": \"b\"},\n  {\"task\": \"t3\", \"label\": \"b\"}\n]\n"),
    ])
    func formatFromExtension(name: String, expected: String) throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.answers)
            let out = try CLI.run(["aggregate", "answers.tsv", "--out", name], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stdout.isEmpty)
            #expect(readText(dir, name) == expected)
            #expect(try listing(dir) == ["answers.tsv", name].sorted(), "no temporary file is left behind")
        }
    }

    @Test("--format overrides the extension")
    func formatOverridesExtension() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.answers)
            let out = try CLI.run(["aggregate", "answers.tsv", "--out", "labels.tsv", "--format", "csv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(readText(dir, "labels.tsv") == "task,label\nt1,a\nt2,b\nt3,b\n")
        }
    }

    @Test("--probabilities: task then labels in label order; --skills: worker, skill", arguments: [
        (["10", "9", "-1"], "task\t-1\t9\t10"),
        (["b", "a", "é", "B"], "task\tB\ta\tb\té"),
        (["yes", "no,maybe", "no"], "task\tno\tno,maybe\tyes"),
    ])
    func probabilitiesAndSkills(labels: [String], header: String) throws {
        try withTempDirectory { dir in
            var text = "task\tworker\tlabel\n"
            for (i, l) in labels.enumerated() { text += "t\(i)\tw\(i)\t\(l)\nt\(i)\tw\(i + 1)\t\(l)\n" }
            try writeFile(dir, "answers.tsv", text)
            let out = try CLI.run(["aggregate", "answers.tsv", "--out", "labels.tsv", "--probabilities", "p.tsv", "--skills", "s.tsv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let p = try #require(readText(dir, "p.tsv")).split(separator: "\n").map(String.init)
            #expect(p.first == header)
            #expect(p.count == labels.count + 1)
            // Task t0 voted for labels[0] unanimously: 1 in that label's column, 0 elsewhere.
            let columns = header.split(separator: "\t").map(String.init)
            let row0 = p[1].split(separator: "\t").map(String.init)
            #expect(row0[0] == "t0")
            for (c, name) in columns.enumerated().dropFirst() {
                #expect(Double(row0[c]) == (name == labels[0] ? 1.0 : 0.0), "column \(name)")
            }
            let s = try #require(readText(dir, "s.tsv")).split(separator: "\n").map(String.init)
            #expect(s.first == "worker\tskill")
            #expect(s.dropFirst().map { String($0.split(separator: "\t")[0]) } == (0...labels.count).map { "w\($0)" })
        }
    }

    @Test("probabilities and skills as CSV and JSON by extension")
    func probabilitiesCSVJSON() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.answers)
            let out = try CLI.run(["aggregate", "answers.tsv", "--out", "l.json", "--probabilities", "p.csv", "--skills", "s.json", "--method", "wawa"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(readText(dir, "p.csv")?.hasPrefix("task,a,b\nt1,") == true)
            let skills = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("s.json"))) as? [[String: Any]])
            #expect(skills.map { $0["worker"] as? String } == ["w1", "w2", "w3"])
            #expect(skills.allSatisfy { $0["skill"] is NSNumber })
        }
    }

    @Test("--help of tally, aggregate and evaluate: exit 0 with an Example section", arguments: [
        ["--help"], ["aggregate", "--help"], ["evaluate", "--help"], ["help", "aggregate"], ["help", "evaluate"],
    ])
    func help(args: [String]) throws {
        let out = try withTempDirectory { try CLI.run(args, in: $0) }
        #expect(out.status == 0, "stderr: \(out.stderr)")
        #expect(out.stdout.contains("Example"), "help of \(args): \(out.stdout)")
        #expect(out.stdout.contains("USAGE: tally"))
        let example = try #require(out.stdout.range(of: "Example"))
        #expect(out.stdout[example.upperBound...].contains("\n  tally "), "the example shows a command line")
    }

    static let goldAnswers = """
        task\tworker\tlabel
        g1\tw1\ta
        g1\tw2\tb
        g2\tw1\tb
        g2\tw2\tb
        t1\tw1\ta
        t1\tw2\tb
        t1\tw3\tb
        t2\tw3\ta
        t2\tw1\tb

        """

    @Test("gold-mv: a worker without gold answers votes with the mean skill by default")
    func goldMVMissingSkillMean() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.goldAnswers)
            try writeFile(dir, "gold.tsv", "task\tlabel\ng1\ta\ng2\tb\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", "gold-mv", "--gold", "gold.tsv", "--out", "labels.tsv", "--skills", "skills.tsv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("1 workers have no golden answer; they voted with the mean skill of the others"))
            // Skills: w1 = 2/2 = 1, w2 = 1/2 = 0.5, w3 unknown: votes with (and reports) the mean 0.75.
            #expect(readText(dir, "skills.tsv") == "worker\tskill\nw1\t1.0\nw2\t0.5\nw3\t0.75\n")
            // t1: a (w1: 1.0) vs b (w2 0.5 + w3 0.75 = 1.25) → b; t2: a (w3: 0.75) vs b (w1: 1.0) → b.
            #expect(readText(dir, "labels.tsv") == "task\tlabel\ng1\ta\ng2\tb\nt1\tb\nt2\tb\n")
        }
    }

    @Test("gold-mv: --on-missing-skill error fails with exit 65 and writes nothing")
    func goldMVMissingSkillError() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.goldAnswers)
            try writeFile(dir, "gold.tsv", "task\tlabel\ng1\ta\ng2\tb\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", "gold-mv", "--gold", "gold.tsv", "--on-missing-skill", "error", "--out", "labels.tsv"], in: dir)
            #expect(out.status == 65)
            #expect(out.stderr.contains("tally: error: no skill for 1 of 3 workers (first: 'w3')"), "stderr: \(out.stderr)")
            #expect(try listing(dir) == ["answers.tsv", "gold.tsv"])
            let quiet = try CLI.run(["aggregate", "answers.tsv", "-q", "--method", "gold-mv", "--gold", "gold.tsv", "--on-missing-skill", "error"], in: dir)
            #expect(quiet.status == 65)
            #expect(quiet.stderr.hasPrefix("tally: error: no skill for 1 of 3 workers (first: 'w3')"))
            #expect(quiet.stdout.isEmpty)
        }
    }

    @Test("gold-mv from a Toloka export's GOLDEN cells; rejected and skipped rows reported")
    func goldMVToloka() throws {
        let header = "INPUT:audio\tOUTPUT:gender\tOUTPUT:note\tGOLDEN:gender\tASSIGNMENT:worker_id\tASSIGNMENT:status\n"
        let rows = [
            "a.mp3\tmale\t\tmale\tw1\tAPPROVED",
            "a.mp3\tfemale\t\tmale\tw2\tAPPROVED",
            "b.mp3\tfemale\t\t\tw1\tAPPROVED",
            "b.mp3\tmale\t\t\tw2\tSUBMITTED",
            "b.mp3\tmale\t\t\tw3\tREJECTED",
            "c.mp3\t\t\t\tw3\tSKIPPED",
        ]
        try withTempDirectory { dir in
            try writeFile(dir, "export.tsv", header + rows.joined(separator: "\n") + "\n")
            let noChoice = try CLI.run(["aggregate", "export.tsv", "--method", "gold-mv", "--out", "labels.tsv"], in: dir)
            #expect(noChoice.status == 65)
            #expect(noChoice.stderr == "tally: error: export.tsv:1: field 'OUTPUT:': several OUTPUT: columns ('OUTPUT:gender', 'OUTPUT:note'); choose one with --label-column\n")
            let out = try CLI.run(["aggregate", "export.tsv", "--label-column", "OUTPUT:gender", "--method", "gold-mv", "--out", "labels.tsv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("read 4 answers: 2 tasks, 2 workers, 2 labels"))
            #expect(out.stderr.contains("left out 1 rejected, 1 skipped"))
            #expect(readText(dir, "labels.tsv") == "task\tlabel\na.mp3\tmale\nb.mp3\tfemale\n")
        }
    }

    @Test("duplicated (task, worker) pairs: a warning, and every answer is kept")
    func duplicatesWarning() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw1\tb\nt1\tw1\tb\nt2\tw2\ta\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "--probabilities", "p.tsv", "--out", "l.tsv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("read 4 answers: 2 tasks, 2 workers, 2 labels"))
            #expect(out.stderr.contains("warning: 1 (task, worker) pairs answered more than once (2 extra answers; first: task 't1', worker 'w1'); all answers are kept"))
            let p = try #require(readText(dir, "p.tsv")).split(separator: "\n").map(String.init)
            let t1 = p[1].split(separator: "\t").map { Double($0) }
            #expect(abs((t1[1] ?? .nan) - 1.0 / 3.0) < 1e-12, "all three answers of w1 counted: \(p[1])")
            #expect(abs((t1[2] ?? .nan) - 2.0 / 3.0) < 1e-12)
        }
    }
}
