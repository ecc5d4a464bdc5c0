import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// The helpers several methods share since issue 13's clean-up: prior checks, the partition
/// passes' first-max label and the numeric index's sums (and base-parameters' messages).
@Suite("Shared aggregation helpers")
struct SharedHelpersTests {
    /// The error message `body` throws (nil when it throws none).
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as AggregationError { return e.message } catch { return "\(error)" }
        return nil
    }

    @Test("binary-relevance's base-parameters read each value as its parameter's type and name the bad item")
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
