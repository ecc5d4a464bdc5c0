import Testing
import TallyCore
@testable import TallyQualityControl

/// The binomial anatomy of a golden-ban rule (simulation notes §4.2): "ban if fewer than 60 % correct
/// in the last 10 control answers once there are at least 3", one control answer per suite.
@Suite("QualityControl ban statistics")
struct BanStatisticsTests {
    static let rule = single(.goldenSet(historySize: 10), [
        Condition(.goldenSetCorrectAnswersRate, .lt, 60), Condition(.goldenSetAnswersCount, .gte, 3),
    ], ban(nil, .permanent))

    /// Exact P(banned within `answers` control answers) for a worker of accuracy `p`: a DP over the window's contents.
    static func exactBanProbability(accuracy p: Double, answers: Int = 30, history: Int = 10, minimum: Int = 3, below rate: Double = 60) -> Double {
        // state: (length, bits) of the window, bit i = i-th oldest answer correct; value: probability of not yet banned
        var states: [Int: Double] = [0: 1]  // key = length << 16 | bits
        var banned = 0.0
        for _ in 0..<answers {
            var next: [Int: Double] = [:]
            for (key, q) in states {
                let length = key >> 16, bits = key & 0xFFFF
                for (correct, pr) in [(1, p), (0, 1 - p)] {
                    var l = length + 1, b = bits | correct << length
                    if l > history { b >>= 1; l = history }
                    let right = b.nonzeroBitCount
                    if l >= minimum && 100 * Double(right) / Double(l) < rate {
                        banned += q * pr
                    } else {
                        next[l << 16 | b, default: 0] += q * pr
                    }
                }
            }
            states = next
        }
        return banned
    }

    @Test("exact DP agrees with the issue's 0.356 / 0.072 / 0.993 to three decimals")
    func exact() {
        let values = [0.8, 0.9, 0.5].map { Self.exactBanProbability(accuracy: $0) }
        #expect(abs(values[0] - 0.35517) < 1e-5)
        #expect(abs(values[1] - 0.07242) < 1e-5)
        #expect(abs(values[2] - 0.99319) < 1e-5)
        #expect(abs(values[0] - 0.356) < 0.001 && abs(values[1] - 0.072) < 0.001 && abs(values[2] - 0.993) < 0.001)
        // the rest of the notes' "by 30" column, and its first column (banned by the 3rd answer)
        #expect(abs(Self.exactBanProbability(accuracy: 0.7) - 0.726) < 0.002)
        #expect(abs(Self.exactBanProbability(accuracy: 0.97) - 0.006) < 0.001)
        #expect(abs(Self.exactBanProbability(accuracy: 0.8, answers: 3) - 0.104) < 1e-12)  // 0.2³ + 3·0.2²·0.8
    }

    @Test("Monte Carlo through the engine: 20,000 workers per accuracy, within 4 standard errors of the exact value",
          arguments: [(0.8, UInt64(1)), (0.9, 2), (0.5, 3)])
    func monteCarlo(_ accuracy: Double, _ seed: UInt64) throws {
        let workers = 20_000
        var engine = try QualityControlEngine(Self.rule)
        engine.reserveWorkers(workers)
        var rng = SplitMix64(seed: seed)
        let right = AnswerOutcomes(total: 1, correct: 1), wrong = AnswerOutcomes(total: 1, correct: 0)
        for w in 0..<workers {
            for k in 0..<30 {
                engine.process(.submitted(time: Double(k), worker: Int32(w), duration: 60, control: rng.unit() < accuracy ? right : wrong))
            }
        }
        // A permanent ban stops the rule for that worker: one action at most per worker.
        #expect(Set(engine.actions.map(\.worker)).count == engine.actions.count)
        let observed = Double(engine.actions.count) / Double(workers)
        let exact = Self.exactBanProbability(accuracy: accuracy)
        let se = (exact * (1 - exact) / Double(workers)).squareRoot()
        #expect(abs(observed - exact) < 4 * se, "observed \(observed), exact \(exact), se \(se)")
        // Every ban happened with at least 3 answers and below 60 %.
        #expect(engine.actions.allSatisfy { $0.value(.goldenSetAnswersCount)! >= 3 && $0.value(.goldenSetCorrectAnswersRate)! < 60 })
    }
}
