import Foundation
import Testing
import TallyCore
import TallyTestSupport
@testable import TallyAggregation

/// Numeric answers read from a `task, worker, label` TSV, ids in order of first appearance.
struct NumericColumns {
    var taskNames: [String] = [], workerNames: [String] = []
    var task: [Int32] = [], worker: [Int32] = [], value: [Double] = []

    init(path: String) throws {
        var tasks: [String: Int32] = [:], workers: [String: Int32] = [:]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for row in TestData.rows(text).dropFirst() {
            let t = tasks[row[0]] ?? { tasks[row[0]] = Int32(taskNames.count); taskNames.append(row[0]); return Int32(taskNames.count - 1) }()
            let w = workers[row[1]] ?? { workers[row[1]] = Int32(workerNames.count); workerNames.append(row[1]); return Int32(workerNames.count - 1) }()
            task.append(t)
            worker.append(w)
            value.append(try #require(Double(row[2])))
        }
    }
}

/// Mean, median, CATD, PM/CRH and LFC_N against the VLDB 2017 benchmark's own code
/// (`scripts/numeric_fixtures.py`, fixtures in `Fixtures/numeric`).
@Suite struct NumericParityTests {
    static let fixtures = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/numeric")

    /// A fixture `key<TAB>value` file as a dictionary.
    static func values(_ dataset: String, _ file: String) throws -> [String: Double] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("\(dataset)/\(file)"), encoding: .utf8)
        var out: [String: Double] = [:]
        for row in TestData.rows(text).dropFirst() { out[row[0]] = try #require(Double(row[1])) }
        return out
    }

    static func answers(_ dataset: String) throws -> NumericColumns {
        dataset == "synth"
            ? try NumericColumns(path: fixtures.appendingPathComponent("synth/answers.tsv").path)
            : try NumericColumns(path: RealDatasets.answers(dataset).path)
    }

    static func fit(_ method: String, _ a: NumericColumns) throws -> NumericModel {
        let args = (a.task, a.worker, a.value, a.taskNames.count, a.workerNames.count)
        switch method {
        case "mean": return try NumericMean().fit(task: args.0, worker: args.1, value: args.2, taskCount: args.3, workerCount: args.4)
        case "median": return try NumericMedian().fit(task: args.0, worker: args.1, value: args.2, taskCount: args.3, workerCount: args.4)
        case "catd": return try CATD(normalization: .global).fit(task: args.0, worker: args.1, value: args.2, taskCount: args.3, workerCount: args.4)
        case "catd-task": return try CATD().fit(task: args.0, worker: args.1, value: args.2, taskCount: args.3, workerCount: args.4)
        case "pm": return try PMCRH().fit(task: args.0, worker: args.1, value: args.2, taskCount: args.3, workerCount: args.4)
        case "lfc-n": return try LFCN().fit(task: args.0, worker: args.1, value: args.2, taskCount: args.3, workerCount: args.4)
        default: throw AggregationError("unknown method \(method)")
        }
    }

    @Test(arguments: ["synth", "vldb-emotion"], ["mean", "median", "catd", "catd-task", "pm", "lfc-n"])
    func matchesReference(dataset: String, method: String) throws {
        let a = try Self.answers(dataset)
        let model = try Self.fit(method, a)
        let expected = try Self.values(dataset, "\(method).tsv")
        #expect(expected.count == a.taskNames.count)
        var worst = 0.0
        for (t, name) in a.taskNames.enumerated() {
            let e = try #require(expected[name])
            worst = max(worst, abs(model.estimates[t] - e) / max(1, abs(e)))
        }
        #expect(worst <= 1e-9, "\(dataset) \(method): largest relative difference \(worst)")
        if ["catd", "catd-task", "pm", "lfc-n"].contains(method) {
            let weights = try #require(model.weights)
            let expectedWeights = try Self.values(dataset, "\(method).workers.tsv")
            var worstWeight = 0.0
            for (w, name) in a.workerNames.enumerated() {
                let e = try #require(expectedWeights[name])
                worstWeight = max(worstWeight, abs(weights[w] - e) / max(abs(e), 1e-300))
            }
            #expect(worstWeight <= 1e-6, "\(dataset) \(method): worker weights differ by up to \(worstWeight) (relative)")
        }
    }

    /// MAE and RMSE against gold, as the reference's output scores them (`summary.tsv`).
    @Test(arguments: ["synth", "vldb-emotion"])
    func errorsAgainstGold(dataset: String) throws {
        let a = try Self.answers(dataset)
        let goldPath = dataset == "synth" ? Self.fixtures.appendingPathComponent("synth/gold.tsv").path : try RealDatasets.gold(dataset).path
        var gold: [String: Double] = [:]
        for row in TestData.rows(try String(contentsOfFile: goldPath, encoding: .utf8)).dropFirst() { gold[row[0]] = Double(row[1]) }
        let summary = TestData.rows(try String(contentsOf: Self.fixtures.appendingPathComponent("summary.tsv"), encoding: .utf8)).filter { $0[0] == dataset }
        #expect(summary.count == 6)
        for row in summary {
            let model = try Self.fit(row[1], a)
            let e = NumericErrors(estimates: Dictionary(uniqueKeysWithValues: a.taskNames.enumerated().map { ($1, model.estimates[$0]) }), gold: gold)
            #expect(abs(e.mae - Double(row[2])!) <= 1e-9, "\(dataset) \(row[1]) MAE \(e.mae) vs \(row[2])")
            #expect(abs(e.rmse - Double(row[3])!) <= 1e-9, "\(dataset) \(row[1]) RMSE \(e.rmse) vs \(row[3])")
        }
    }

    @Test func badInputIsRefused() {
        #expect(throws: AggregationError.self) { try CATD().fit(task: [0, 1], worker: [0], value: [1, 2], taskCount: 2, workerCount: 1) }
        #expect(throws: AggregationError.self) { try PMCRH().fit(task: [0], worker: [0], value: [.nan], taskCount: 1, workerCount: 1) }
        #expect(throws: AggregationError.self) { try LFCN().fit(task: [3], worker: [0], value: [1], taskCount: 1, workerCount: 1) }
        #expect(throws: AggregationError.self) { try LFCN(maxIterations: -1).fit(task: [0], worker: [0], value: [1], taskCount: 1, workerCount: 1) }
        #expect(throws: AggregationError.self) { try NumericMean().fit(task: [], worker: [], value: [], taskCount: 0, workerCount: 0) }
    }

    @Test func smallCases() throws {
        let med = try NumericMedian().fit(task: [0, 0, 0, 1, 1], worker: [0, 1, 2, 0, 1], value: [30, 40, 90, 7, 8], taskCount: 2, workerCount: 3)
        #expect(med.estimates == [40, 7.5])
        let mean = try NumericMean().fit(task: [0, 0, 1], worker: [0, 1, 0], value: [30, 40, 7], taskCount: 2, workerCount: 2)
        #expect(mean.estimates == [35, 7])
        // Two agreeing workers and an outlier: every weighted method trusts the agreeing pair.
        let task: [Int32] = [0, 0, 0, 1, 1, 1], worker: [Int32] = [0, 1, 2, 0, 1, 2], value: [Double] = [10, 11, 30, 20, 21, 5]
        for model in [try CATD().fit(task: task, worker: worker, value: value, taskCount: 2, workerCount: 3),
                      try PMCRH().fit(task: task, worker: worker, value: value, taskCount: 2, workerCount: 3),
                      try LFCN().fit(task: task, worker: worker, value: value, taskCount: 2, workerCount: 3)] {
            let w = try #require(model.weights)
            #expect(w[2] < w[0] && w[2] < w[1])
            #expect(abs(model.estimates[0] - 10.5) < 1 && abs(model.estimates[1] - 20.5) < 1)
        }
    }
}

/// The numeric methods through the registry, on answers read by `AnswerReader` as numeric.
@Suite struct NumericRegistryTests {
    @Test(arguments: ["mean", "median", "catd", "pm", "lfc-n"])
    func sameAsDirect(method: String) throws {
        let path = NumericParityTests.fixtures.appendingPathComponent("synth/answers.tsv").path
        let file = try AnswerReader.read(path, as: .numeric)
        guard case .numeric(let n) = file.answers else { Issue.record("not read as numeric"); return }
        let descriptor = try MethodRegistry.method(named: method)
        #expect(descriptor.accepts(.numeric) && !descriptor.accepts(.categorical))
        let result = try descriptor.fit(.numeric(n))
        let direct = try NumericParityTests.fit(method == "catd" ? "catd-task" : method, try NumericColumns(path: path))
        #expect(result.taskValues == direct.estimates)
        #expect(result.workerSkills == direct.weights)
        #expect(descriptor.makesSkills == (direct.weights != nil))
        // The fixture holds the same task order (first appearance) as the reader's ids.
        let expected = try NumericParityTests.values("synth", "\(method == "catd" ? "catd-task" : method).tsv")
        for t in 0..<n.taskCount {
            let e = try #require(expected[n.tasks.name(Int32(t))])
            #expect(abs(result.taskValues![t] - e) <= 1e-9 * max(1, abs(e)))
        }
    }

    @Test func parameters() throws {
        let path = NumericParityTests.fixtures.appendingPathComponent("synth/answers.tsv").path
        guard case .numeric(let n) = try AnswerReader.read(path, as: .numeric).answers else { Issue.record("not numeric"); return }
        let catd = try MethodRegistry.method(named: "catd")
        let global = try catd.fit(.numeric(n), parameters: MethodParameters(["normalization": .string("global"), "max-iterations": .int(100)]))
        #expect(global.taskValues == (try CATD(normalization: .global).fit(n)).estimates)
        let lfc = try MethodRegistry.method(named: "lfc-n").fit(.numeric(n), parameters: MethodParameters(["max-iterations": .int(1)]))
        #expect(lfc.iterations == 1)
        #expect(throws: AggregationError.self) { try catd.fit(.categorical(try AnswerTable(tasks: ["t"], workers: ["w"], labels: ["1"]))) }
    }
}
