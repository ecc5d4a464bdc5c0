import Foundation
import TallyCore

/// Turns downloaded assignments into files: Toloka's web-UI TSV export ("Download results":
/// one row per task per assignment, `INPUT:`, `OUTPUT:`, `GOLDEN:`, `HINT:` and `ASSIGNMENT:`
/// columns), crowd-kit answers (`task, worker, label`, real tasks only, as the notebook
/// aggregates) and the golden tasks' known solutions (`task, label`), all in the run's output
/// folder.
public enum RunOutputs {
    /// Counts of what was written.
    public struct Summary: Sendable, Codable {
        /// Assignments read (each id once).
        public var assignments: Int
        /// Answers on real (non-golden) tasks: the rows of `answers.tsv`.
        public var answers: Int
        /// Answers on golden (control) tasks.
        public var goldenAnswers: Int
        /// Golden answers that match a known solution.
        public var goldenCorrect: Int
        /// Distinct real tasks answered.
        public var tasks: Int
        /// Distinct Tolokers who answered real tasks.
        public var workers: Int
        /// Sum of the downloaded assignments' rewards (USD).
        public var cost: Decimal
        enum CodingKeys: String, CodingKey {
            case assignments, answers, tasks, workers, cost
            case goldenAnswers = "golden_answers", goldenCorrect = "golden_correct"
        }
    }

    /// The export in Toloka's TSV format (`assignments.tsv`).
    public static let exportFile = "assignments.tsv"
    /// crowd-kit answers on real tasks: `task`, `worker`, `label` (`answers.tsv`).
    public static let answersFile = "answers.tsv"
    /// Golden tasks' first known solution: `task`, `label` (`gold.tsv`).
    public static let goldFile = "gold.tsv"
    /// The files ``write(from:workflow:poolID:outDir:webRoot:)`` writes atomically.
    static let fileNames = [exportFile, answersFile, goldFile]

    /// Reads `assignments.jsonl` (one Assignment per line), keeps each id once, writes the files.
    static func write(from jsonl: String, workflow: Workflow, poolID: String, outDir: String, webRoot: String) throws -> Summary {
        guard let data = FileManager.default.contents(atPath: jsonl) else { throw TolokaError.invalidInput("\(jsonl): cannot read") }
        var seen = Set<String>()
        var assignments: [Assignment] = []
        let decoder = JSONDecoder()
        var lineNo = 0
        for line in data.split(separator: 10, omittingEmptySubsequences: true) {
            lineNo += 1
            let a: Assignment
            do { a = try decoder.decode(Assignment.self, from: Data(line)) } catch {
                throw TolokaError.invalidInput("\(jsonl):\(lineNo): not an assignment: \(describe(error))")
            }
            if seen.insert(a.id).inserted { assignments.append(a) }
        }
        let inputFields = workflow.inputFields
        let outputFields = (workflow.project.taskSpec?.outputSpec.keys.sorted()) ?? [workflow.labelField]
        let (export, _) = exportTSV(assignments, inputFields: inputFields, outputFields: outputFields, poolID: poolID, webRoot: webRoot)

        var answers = "task\tworker\tlabel\n"
        var gold: [String: String] = [:]
        var goldOrder: [String] = []
        var summary = Summary(assignments: assignments.count, answers: 0, goldenAnswers: 0, goldenCorrect: 0, tasks: 0, workers: 0, cost: 0)
        var tasks = Set<String>(), workers = Set<String>()
        for a in assignments {
            summary.cost += a.reward ?? 0
            let worker = a.userID ?? ""
            for (t, s) in zip(a.tasks ?? [], a.solutions ?? []) {
                let name = taskName(t.inputValues, fields: inputFields)
                let label = s.outputValues[workflow.labelField]?.cellText ?? ""
                if let known = t.knownSolutions, !known.isEmpty {
                    summary.goldenAnswers += 1
                    if known.contains(where: { $0.outputValues[workflow.labelField] == s.outputValues[workflow.labelField] }) { summary.goldenCorrect += 1 }
                    if gold[name] == nil, let g = known[0].outputValues[workflow.labelField]?.cellText {
                        gold[name] = g
                        goldOrder.append(name)
                    }
                    continue
                }
                answers += "\(TSV.cell(name))\t\(TSV.cell(worker))\t\(TSV.cell(label))\n"
                summary.answers += 1
                tasks.insert(name)
                workers.insert(worker)
            }
        }
        summary.tasks = tasks.count
        summary.workers = workers.count
        var goldText = "task\tlabel\n"
        for name in goldOrder { goldText += "\(TSV.cell(name))\t\(TSV.cell(gold[name]!))\n" }
        let dir = URL(fileURLWithPath: outDir)
        try AtomicFile.write([
            (Array(export.utf8), dir.appendingPathComponent(exportFile).path),
            (Array(answers.utf8), dir.appendingPathComponent(answersFile).path),
            (Array(goldText.utf8), dir.appendingPathComponent(goldFile).path),
        ])
        return summary
    }

    /// A task's name in answer files: its input values joined by ` | ` in field order — the
    /// name TallyCore's reader of the TSV export gives the same task.
    static func taskName(_ inputs: [String: JSONValue], fields: [String]) -> String {
        let names = fields.isEmpty ? inputs.keys.sorted() : fields
        return names.map { inputs[$0]?.cellText ?? "" }.joined(separator: " | ")
    }

    /// Toloka's "Download results" TSV for `assignments`: one row per task per assignment,
    /// with `INPUT:` columns for `inputFields` and `OUTPUT:` and `GOLDEN:` columns for
    /// `outputFields`. `ASSIGNMENT:link` points into `webRoot`. Returns the text and its number of
    /// rows (header excluded).
    public static func exportTSV(_ assignments: [Assignment], inputFields: [String], outputFields: [String], poolID: String, webRoot: String) -> (String, Int) {
        var header = inputFields.map { "INPUT:\($0)" } + outputFields.map { "OUTPUT:\($0)" } + outputFields.map { "GOLDEN:\($0)" }
        header += ["HINT:text", "HINT:default_language", "ASSIGNMENT:link", "ASSIGNMENT:task_id", "ASSIGNMENT:assignment_id",
                   "ASSIGNMENT:worker_id", "ASSIGNMENT:status", "ASSIGNMENT:started"]
        var out = header.joined(separator: "\t") + "\n"
        var rows = 0
        for a in assignments {
            let status = a.status == "ACCEPTED" ? "APPROVED" : (a.status ?? "")
            let link = "\(webRoot)/task/\(a.poolID ?? poolID)/\(a.id)"
            let solutions = a.solutions ?? []
            for (i, t) in (a.tasks ?? []).enumerated() {
                var cells: [String] = []
                for f in inputFields { cells.append(t.inputValues[f]?.cellText ?? "") }
                let answer = i < solutions.count ? solutions[i].outputValues : [:]
                for f in outputFields { cells.append(answer[f]?.cellText ?? "") }
                let known = t.knownSolutions?.first?.outputValues ?? [:]
                for f in outputFields { cells.append(known[f]?.cellText ?? "") }
                cells += [t.messageOnUnknownSolution ?? "", "", link, t.id ?? "", a.id, a.userID ?? "", status, a.created ?? ""]
                out += cells.map(TSV.cell).joined(separator: "\t") + "\n"
                rows += 1
            }
        }
        return (out, rows)
    }
}
