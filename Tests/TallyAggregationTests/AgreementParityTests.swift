import Foundation
import Testing
import TallyCore
import TallyTestSupport
@testable import TallyAggregation

/// Krippendorff's alpha, uncertainty and consistency against crowd-kit 1.4.2 (NLTK 3.10.4 for
/// alpha): `scripts/agreement_fixtures.py`, fixtures in `Fixtures/agreement`; within 1e-9.
@Suite struct AgreementParityTests {
    static let fixtures = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/agreement")

    static let summary: [String: Double] = {
        let text = (try? String(contentsOf: fixtures.appendingPathComponent("summary.tsv"), encoding: .utf8)) ?? ""
        var out: [String: Double] = [:]
        for row in TestData.rows(text).dropFirst() { out["\(row[0])/\(row[1])"] = Double(row[2]) }
        return out
    }()

    static func answersPath(_ dataset: String) throws -> String {
        dataset == "synth" ? fixtures.appendingPathComponent("synth-input/answers.tsv").path : try TestData.answersPath(dataset)
    }

    /// A per-task or per-worker fixture table: key → column → value.
    static func table(_ dataset: String, _ kind: String) throws -> (columns: [String], rows: [String: [Double]]) {
        let rows = TestData.rows(try String(contentsOf: fixtures.appendingPathComponent("\(dataset)/by_\(kind).tsv"), encoding: .utf8))
        var out: [String: [Double]] = [:]
        for r in rows.dropFirst() { out[r[0]] = r.dropFirst().map { Double($0)! } }
        return (Array(rows[0].dropFirst()), out)
    }

    static func expectClose(_ a: Double, _ b: Double, _ what: String) {
        #expect(abs(a - b) <= 1e-9 || (a.isNaN && b.isNaN), "\(what): \(a) vs crowd-kit \(b)")
    }

    @Test(arguments: ["toy", "bluebirds", "snow-rte", "snow-temp", "synth"])
    func categorical(dataset: String) throws {
        let table = try AnswerReader.read(try Self.answersPath(dataset)).table
        let expected = try #require(Self.summary["\(dataset)/alpha_nominal"])
        Self.expectClose(try KrippendorffAlpha.nominal(table).alpha, expected, "\(dataset) alpha")

        let vote = try MajorityVote().fit(table)
        let mvSkills = try #require(vote.skills)
        var given: [Double]?
        if dataset == "synth" {
            let skills = try WorkerSkills.read(Self.fixtures.appendingPathComponent("synth-input/skills.tsv").path)
            given = skills.aligned(to: table).map { $0 ?? .nan }
        }
        // Per task.
        let byTask = try Self.table(dataset, "task")
        var perTask: [String: [Double]] = [
            "uncertainty": try Uncertainty(table).values,
            "uncertainty_mv": try Uncertainty(table, skills: mvSkills).values,
            "consistency": try Consistency(table, labels: vote.labels, skills: mvSkills).values,
        ]
        if let given {
            perTask["uncertainty_skills"] = try Uncertainty(table, skills: given).values
            perTask["consistency_skills"] = try Consistency(table, labels: vote.labels, skills: given).values
        }
        #expect(Set(byTask.columns) == Set(perTask.keys))
        #expect(byTask.rows.count == table.taskCount)
        for (c, column) in byTask.columns.enumerated() {
            let ours = try #require(perTask[column])
            for t in 0..<table.taskCount {
                let e = try #require(byTask.rows[table.tasks.name(Int32(t))])
                Self.expectClose(ours[t], e[c], "\(dataset) \(column) task \(table.tasks.name(Int32(t)))")
            }
        }
        // Per worker.
        let byWorker = try Self.table(dataset, "worker")
        var perWorker: [String: [Double]] = [
            "uncertainty": try Uncertainty(table, by: .worker).values,
            "uncertainty_mv": try Uncertainty(table, skills: mvSkills, by: .worker).values,
        ]
        if let given { perWorker["uncertainty_skills"] = try Uncertainty(table, skills: given, by: .worker).values }
        #expect(Set(byWorker.columns) == Set(perWorker.keys))
        for (c, column) in byWorker.columns.enumerated() {
            let ours = try #require(perWorker[column])
            for w in 0..<table.workerCount {
                let e = try #require(byWorker.rows[table.workers.name(Int32(w))])
                Self.expectClose(ours[w], e[c], "\(dataset) \(column) worker \(table.workers.name(Int32(w)))")
            }
        }
        // Overall means.
        Self.expectClose(try Uncertainty(table).mean, try #require(Self.summary["\(dataset)/uncertainty"]), "\(dataset) mean uncertainty")
        Self.expectClose(try Uncertainty(table, skills: mvSkills).mean, try #require(Self.summary["\(dataset)/uncertainty_mv"]), "\(dataset) mean uncertainty (mv skills)")
        Self.expectClose(try Uncertainty(table, by: .worker).mean, try #require(Self.summary["\(dataset)/uncertainty_worker"]), "\(dataset) mean worker uncertainty")
        Self.expectClose(try Consistency(table, labels: vote.labels, skills: mvSkills).mean, try #require(Self.summary["\(dataset)/consistency"]), "\(dataset) consistency")
        if let given {
            Self.expectClose(try Uncertainty(table, skills: given).mean, try #require(Self.summary["\(dataset)/uncertainty_skills"]), "\(dataset) mean uncertainty (skills)")
            Self.expectClose(try Consistency(table, labels: vote.labels, skills: given).mean, try #require(Self.summary["\(dataset)/consistency_skills"]), "\(dataset) consistency (skills)")
        }
    }

    @Test(arguments: ["numeric-synth", "vldb-emotion"])
    func interval(dataset: String) throws {
        let a = dataset == "numeric-synth"
            ? try NumericColumns(path: NumericParityTests.fixtures.appendingPathComponent("synth/answers.tsv").path)
            : try NumericColumns(path: RealDatasets.answers(dataset).path)
        let alpha = try KrippendorffAlpha.interval(task: a.task, value: a.value, taskCount: a.taskNames.count, worker: a.worker)
        Self.expectClose(alpha.alpha, try #require(Self.summary["\(dataset)/alpha_interval"]), "\(dataset) interval alpha")
    }

    /// crowd-kit's docstring examples and NLTK's degenerate cases.
    @Test func documentedExamples() throws {
        let three = try AnswerTable(tasks: ["X", "X", "Y", "Y", "Z", "Z"], workers: ["A", "B", "A", "B", "A", "B"],
                                    labels: ["Yes", "Yes", "No", "No", "Yes", "No"])
        #expect(abs(try KrippendorffAlpha.nominal(three).alpha - 0.4444444444444444) < 1e-15)
        let agree = try AnswerTable(tasks: ["X", "X", "Y", "Y"], workers: ["A", "B", "A", "B"], labels: ["Yes", "Yes", "No", "No"])
        #expect(try KrippendorffAlpha.nominal(agree).alpha == 1)
        let one = try AnswerTable(tasks: ["X", "Y"], workers: ["A", "A"], labels: ["Yes", "Yes"])
        #expect(try KrippendorffAlpha.nominal(one).alpha == 1)  // a single label: NLTK returns 1
        let lonely = try AnswerTable(tasks: ["X", "Y"], workers: ["A", "A"], labels: ["Yes", "No"])
        #expect(throws: MetricError.self) { try KrippendorffAlpha.nominal(lonely) }  // no task with two answers
        #expect(throws: MetricError.self) { try KrippendorffAlpha.interval(task: [0], value: [1, 2], taskCount: 1) }

        let maybe = try AnswerTable(tasks: ["X", "X", "X"], workers: ["A", "B", "C"], labels: ["Yes", "No", "Maybe"])
        #expect(abs(try Uncertainty(maybe).mean - 1.0986122886681096) < 1e-12)
        let same = try AnswerTable(tasks: ["X", "X"], workers: ["A", "B"], labels: ["Yes", "Yes"])
        #expect(abs(try Uncertainty(same).mean) < 1e-12)
        let mixed = try AnswerTable(tasks: ["X", "X", "Y", "Y"], workers: ["A", "B", "A", "B"], labels: ["Yes", "No", "Yes", "Yes"])
        let byWorker = try Uncertainty(mixed, by: .worker)
        #expect(abs(byWorker.values[0]) < 1e-12 && abs(byWorker.values[1] - 0.693147) < 1e-6)
        #expect(throws: MetricError.self) { try Uncertainty(mixed, skills: [0.9]) }
        #expect(throws: MetricError.self) { try Consistency(mixed, labels: [0, 0], skills: [0.9, .nan]) }
    }
}
