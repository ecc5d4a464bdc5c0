import Foundation
import Testing
import TallyTestSupport

/// Regression tests for the `aggregate` and `evaluate` defects of issue 19 (a hostile probe of the
/// command line): each failed before its fix.
@Suite("issue 19: aggregate and evaluate")
struct HardeningCLITests {
    /// `labels` distinct integer labels over `workers` workers, five answers a task: the shape of a
    /// numeric column read as categorical.
    static func manyLabels(_ labels: Int, workers: Int = 40) -> String {
        var s = "task\tworker\tlabel\n"
        for i in 0..<labels { s += "t\(i / 5)\tw\((i * 7) % workers)\t\(i * 3)\n" }
        return s
    }

    // MARK: - Defect 2: label counts that cannot fit

    @Test("defect 2: 20,000 labels are refused with exit 65, the label count and a hint", arguments: ["ds", "onecoin-ds", "mace"])
    func tooManyLabels(method: String) throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.manyLabels(20_000))
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", method, "--out", "labels.tsv", "-q"], in: dir)
            #expect(out.status == 65, "stderr: \(out.stderr.prefix(500))")
            #expect(out.stderr.hasPrefix("tally: error: answers.tsv: field 'label': 20000 distinct labels"), "\(out.stderr.prefix(500))")
            #expect(out.stderr.contains("--max-labels"))
            #expect(out.stderr.contains("numeric"))
            #expect(readText(dir, "labels.tsv") == nil)
        }
    }

    @Test("defect 2: above --max-labels, Dawid-Skene's memory estimate still refuses what cannot fit")
    func memoryGuard() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", Self.manyLabels(20_000))
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", "ds", "--max-labels", "100000", "--out", "labels.tsv", "-q"], in: dir)
            #expect(out.status == 65, "stderr: \(out.stderr.prefix(500))")
            #expect(out.stderr.contains("20000 labels"), "\(out.stderr.prefix(500))")
            #expect(out.stderr.contains("GB"), "names the memory it would need")
            #expect(readText(dir, "labels.tsv") == nil)
        }
    }

    // MARK: - Defect 7: gold-mv skills of workers without gold

    @Test("defect 7: gold-mv --skills writes the skill a worker without gold voted with, not nan")
    func goldMVSkillsOfWorkersWithoutGold() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", "task\tworker\tlabel\ng1\tw1\ta\ng1\tw2\tb\ng2\tw1\tb\ng2\tw2\tb\nt1\tw1\ta\nt1\tw2\tb\nt1\tw3\tb\n")
            try writeFile(dir, "gold.tsv", "task\tlabel\ng1\ta\ng2\tb\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", "gold-mv", "--gold", "gold.tsv", "--out", "labels.tsv", "--skills", "skills.tsv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("voted with the mean skill"))
            #expect(readText(dir, "skills.tsv") == "worker\tskill\nw1\t1.0\nw2\t0.5\nw3\t0.75\n")
        }
    }

    // MARK: - Defect 9: error messages echo raw input

    @Test("defect 9: kos's error about a 1 M-character label is short and names the file")
    func kosLongLabel() throws {
        try withTempDirectory { dir in
            let long = String(repeating: "L", count: 1_000_000)
            try writeFile(dir, "answers.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\tb\nt2\tw1\t\(long)\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", "kos", "-q"], in: dir)
            #expect(out.status == 65)
            #expect(out.stderr.unicodeScalars.count < 1_000, "\(out.stderr.unicodeScalars.count) characters")
            #expect(out.stderr.hasPrefix("tally: error: answers.tsv"), "\(out.stderr.prefix(300))")
            #expect(out.stderr.contains("3 labels"))
        }
    }

    @Test("defect 9: an escape sequence in a worker name reaches stderr escaped")
    func escapeInWarning() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\t\u{1B}[31mred\nt2\tw1\t\u{1B}]0;x\u{07}\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", "kos", "-q"], in: dir)
            #expect(out.status == 65)
            #expect(!out.stderr.contains("\u{1B}") && !out.stderr.contains("\u{07}"), "\(out.stderr.debugDescription)")
        }
    }

    // MARK: - Defect 10: evaluate and --skills

    @Test("defect 10: evaluate with no task in common prints no nan and exits 65", arguments: ["text", "json"])
    func evaluateNoOverlap(report: String) throws {
        try withTempDirectory { dir in
            try writeFile(dir, "labels.tsv", "task\tlabel\nx1\ta\nx2\tb\n")
            try writeFile(dir, "gold.tsv", "task\tlabel\nt1\ta\nt2\tb\n")
            let out = try CLI.run(["evaluate", "labels.tsv", "--gold", "gold.tsv", "--report", report], in: dir)
            #expect(out.status == 65)
            #expect(!out.stdout.contains("nan") && !out.stdout.contains("null"), "\(out.stdout)")
            #expect(out.stderr.hasPrefix("tally: error: labels.tsv: no gold task has a prediction"), "\(out.stderr)")
        }
    }

    @Test("defect 10: a duplicate in the predicted labels is reported as predicted, not gold")
    func evaluatePredictedDuplicate() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "labels.tsv", "task\tlabel\nt1\ta\nt1\tb\n")
            try writeFile(dir, "gold.tsv", "task\tlabel\nt1\ta\n")
            let out = try CLI.run(["evaluate", "labels.tsv", "--gold", "gold.tsv"], in: dir)
            #expect(out.status == 65)
            #expect(out.stderr == "tally: error: labels.tsv:3: field 'label': task 't1' has two predicted labels, 'a' and 'b'\n", "\(out.stderr)")
        }
    }

    @Test("defect 10: --skills with a method that has no per-worker skill is refused, not ignored", arguments: ["ds", "kos"])
    func skillsRefused(method: String) throws {
        try withTempDirectory { dir in
            try writeFile(dir, "answers.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\tb\nt2\tw1\tb\nt2\tw2\tb\n")
            let out = try CLI.run(["aggregate", "answers.tsv", "--method", method, "--out", "labels.tsv", "--skills", "skills.tsv"], in: dir)
            #expect(out.status != 0)
            #expect(out.stderr.contains("--skills"), "\(out.stderr)")
            #expect(readText(dir, "labels.tsv") == nil)
        }
    }
}
