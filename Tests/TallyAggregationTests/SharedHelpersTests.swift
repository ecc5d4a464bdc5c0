import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// The helpers several methods share since issue 13's clean-up: parameter text, prior checks,
/// the partition passes' first-max label and the numeric index's sums.
@Suite("Shared aggregation helpers")
struct SharedHelpersTests {
    /// The error message `body` throws (nil when it throws none).
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as AggregationError { return e.message } catch { return "\(error)" }
        return nil
    }

    @Test("ParameterDescriptor.parse reads the default's type and refuses other text")
    func parse() {
        let count = ParameterDescriptor.maxIterations(10)
        #expect(count.parse("25") == .int(25))
        #expect(count.parse("2.5") == nil)
        let seed = ParameterDescriptor.seed(0, "seed")
        #expect(seed.parse("7") == .unsigned(7))
        #expect(seed.parse("-1") == nil)
        let tolerance = ParameterDescriptor.tolerance(1e-5, "tolerance")
        #expect(tolerance.parse("1e-3") == .double(1e-3))
        #expect(tolerance.parse("inf") == nil)
        #expect(tolerance.parse("nan") == nil)
        let flag = ParameterDescriptor("clamp-gold", "flag", default: .flag(false))
        #expect(flag.parse("true") == .flag(true))
        #expect(flag.parse("yes") == nil)
        let choice = ParameterDescriptor("em", "choice", default: .string("soft"), choices: ["soft", "hard"])
        #expect(choice.parse("hybrid") == .string("hybrid"))  // choices are checked by resolve
    }

    @Test("binary-relevance's base-parameters use the same reading and name the bad item")
    func baseParameters() throws {
        let values = try BinaryRelevance.parameterValues("max-iterations=10, tolerance=1e-3", for: DawidSkene.method)
        #expect(values == ["max-iterations": .int(10), "tolerance": .double(1e-3)])
        #expect(Self.message { _ = try BinaryRelevance.parameterValues("max-iterations=ten", for: DawidSkene.method) }
                == "base-parameters: max-iterations takes a integer, got 'ten'")
    }

    @Test("BWA, IBCC and EBCC name the first prior that is not a positive finite number")
    func priors() throws {
        let table = try AnswerTable(tasks: ["X", "X", "Y"], workers: ["A", "B", "A"], labels: ["yes", "no", "no"])
        #expect(Self.message { _ = try BWA(precisionPriorShape: 0, meanWeight: 0).fit(table) }
                == "bwa: precision-prior must be a positive number, got 0.0")
        #expect(Self.message { _ = try BWA(meanWeight: -1).fit(table) } == "bwa: mean-weight must be a positive number, got -1.0")
        #expect(Self.message { _ = try IBCC(classPrior: .nan).fit(table) } == "ibcc: class-prior must be a positive number, got nan")
        #expect(Self.message { _ = try EBCC(groupPrior: .infinity).fit(table) } == "ebcc: group-prior must be a positive number, got inf")
        #expect(Self.message { _ = try BWA().fit(table) } == nil)
    }

    @Test("firstMaxLabel: ties go to the first label, NaN never wins")
    func firstMaxLabel() {
        var posteriors: [Double] = [0.2, 0.4, 0.4,
                                    .nan, 0.1, 0.3,
                                    .nan, .nan, .nan]
        let labels = posteriors.withUnsafeMutableBufferPointer { p in
            (0..<3).map { TaskPartition.firstMaxLabel(p, task: $0, labels: 3) }
        }
        #expect(labels == [1, 2, 0])
    }

    @Test("NumericIndex sums a worker's terms and a task's weighted values in input order")
    func numericSums() throws {
        let index = try NumericIndex(task: [0, 0, 1, 1], worker: [0, 1, 0, 2], value: [1, 2, 3, 5], taskCount: 2, workerCount: 3)
        #expect(index.answerCount(ofWorker: 0) == 2)
        #expect(index.answerCount(ofWorker: 2) == 1)
        let tasksSeen = index.sum(ofWorker: 0) { t, _ in Double(t) }
        #expect(tasksSeen == 1)
        #expect(index.sum(ofWorker: 0) { _, v in v } == 4)
        let (sum, weights) = index.weightedSum(ofTask: 1, weight: [2, 10, 3])
        #expect(sum == 2 * 3 + 3 * 5)
        #expect(weights == 5)
    }
}
