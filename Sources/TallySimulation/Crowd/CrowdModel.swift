import Foundation

/// One simulated worker as drawn from a scenario's crowd: its type, its answer model's parameters
/// and its speed. ``PoolSimulator`` keeps these fields in its own cache-line worker records; the
/// Toloka emulator's scenario crowd keeps one per Toloker of its roster.
package struct SimulatedWorker: Sendable, Equatable {
    /// Index into the scenario's `crowd.types`.
    package var type: Int
    /// The type's model as a ``ModelCode``.
    package var code: UInt8
    /// p (one-coin), α (GLAD), strength (adversarial), detection (golden detector), the group's
    /// accuracy (colluding) or the expected accuracy under the prior (confusion).
    package var parameter: Double
    /// The fixed label (fixed answer), the adversarial shift 1..<K, or the colluding group id.
    package var fixed: Int32
    /// Offset of the worker's K × K confusion CDF in ``CrowdModel/confusionCDF``, or -1.
    package var confusion: Int32
    /// ln of the worker's median seconds per task (after the type's speed-up).
    package var logMedian: Double
}

/// Worker models as small codes for the answer switch (no payload to copy per answer).
package enum ModelCode {
    package static let spammer: UInt8 = 0, fixedAnswer: UInt8 = 1, adversarial: UInt8 = 2, goldenDetector: UInt8 = 3
    package static let colluding: UInt8 = 4, oneCoin: UInt8 = 5, glad: UInt8 = 6, confusion: UInt8 = 7

    package static func of(_ m: WorkerType.Model) -> UInt8 {
        switch m {
        case .uniformSpammer, .fastCheater: return spammer
        case .fixedAnswer: return fixedAnswer
        case .adversarial: return adversarial
        case .goldenDetector: return goldenDetector
        case .colluding: return colluding
        case .oneCoin: return oneCoin
        case .glad: return glad
        case .confusion: return confusion
        }
    }
}

/// A scenario's crowd as a generator: draws workers (type by share, then the type's parameters and
/// a speed), their sessions, suite times and answers.
///
/// ``PoolSimulator`` and the Toloka emulator's scenario crowd both go through this type, so that one
/// scenario means the same workers in both. The random stream is the caller's: every method draws
/// from the `SimulationRandom` it is given, in a fixed order (``PoolSimulator``'s outputs for a seed
/// depend on that order).
package struct CrowdModel: Sendable {
    package let settings: CrowdSettings
    /// Number of labels of the scenario.
    package let k: Int
    /// Seeds the colluding groups' accuracies and answers.
    package let seed: UInt64
    /// The general tasks' class prior (uniform when the scenario has none).
    package let prior: [Double]
    let difficulty: TaskSettings.Difficulty
    let typeCDF: [Double]
    let typeCode: [UInt8]
    /// Per type: workers of a colluding type drawn so far.
    var groupCount: [Int32]
    /// Every confusion-matrix worker's K × K row CDFs, one after another.
    package private(set) var confusionCDF: [Double] = []
    /// Mean pause between a worker's suites as a rate (1 / `gap_seconds`).
    package let gapRate: Double

    package init(_ scenario: Scenario, seed: UInt64) {
        settings = scenario.crowd
        k = scenario.labels.count
        self.seed = seed
        prior = scenario.tasks.prior ?? Array(repeating: 1 / Double(k), count: k)
        difficulty = scenario.tasks.difficulty
        groupCount = Array(repeating: 0, count: scenario.crowd.types.count)
        let total = scenario.crowd.types.map(\.share).reduce(0, +)
        var acc = 0.0
        typeCDF = scenario.crowd.types.map { acc += $0.share / total; return acc }
        typeCode = scenario.crowd.types.map { ModelCode.of($0.model) }
        gapRate = 1 / max(1e-9, scenario.crowd.gapSeconds)
    }

    /// Draws a new worker: the type by share, the type's parameters, then the median time per task.
    package mutating func drawWorker(_ rng: inout SimulationRandom) -> SimulatedWorker {
        let u = rng.uniform()
        var type = typeCDF.count - 1
        for (i, c) in typeCDF.enumerated() where u < c { type = i; break }
        let spec = settings.types[type]
        var parameter = 0.0, fixed: Int32 = 0, confusion: Int32 = -1
        switch spec.model {
        case .oneCoin(let a): parameter = min(1, max(0, a.draw(&rng)))
        case .glad(let a): parameter = a.draw(&rng)
        case .adversarial(let s):
            parameter = min(1, max(0, s.draw(&rng)))
            fixed = Int32(1 + rng.below(k - 1))
        case .goldenDetector(let d): parameter = min(1, max(0, d.draw(&rng)))
        case .fixedAnswer(let l): fixed = Int32(l ?? rng.below(k))
        case .colluding(let size, let a):
            let index = groupCount[type]
            groupCount[type] += 1
            fixed = Int32(type) << 24 | (index / Int32(size))
            // The group's accuracy is drawn from a stream of its own, so every member shares it.
            var g = SimulationRandom(seed: SimulationRandom.hash(seed, 2, UInt64(UInt32(bitPattern: fixed))))
            parameter = min(1, max(0, a.draw(&g)))
        case .confusion(let concentration, let diagonal, let dominant):
            confusion = Int32(confusionCDF.count)
            var expected = 0.0
            for c in 0..<k {
                var row = rng.dirichlet(Array(repeating: concentration, count: k))
                if dominant, let j = row.indices.max(by: { row[$0] < row[$1] }) { row.swapAt(c, j) }
                if diagonal > 0 {
                    row[c] += diagonal
                    let s = row.reduce(0, +)
                    for j in row.indices { row[j] /= s }
                }
                expected += prior[c] * row[c]
                var acc = 0.0
                for j in 0..<k { acc += row[j]; confusionCDF.append(acc) }
                confusionCDF[confusionCDF.count - 1] = 1
            }
            parameter = expected
        case .uniformSpammer, .fastCheater: break
        }
        let median = settings.medianSecondsPerTask * Foundation.exp(settings.workerSigma * rng.normal()) / spec.speedup
        return SimulatedWorker(type: type, code: typeCode[type], parameter: parameter, fixed: fixed, confusion: confusion, logMedian: Foundation.log(median))
    }

    /// Draws a session: the suites the worker means to do (``CrowdSettings/activity``, at least 1
    /// once the caller applies `max(1, _)`), then whether the worker leaves after the first suite.
    package func drawSession(_ rng: inout SimulationRandom) -> (planned: Int, dropout: Bool) {
        let planned: Int
        switch settings.activity {
        case .pareto(let alpha, let minimum, let maximum): planned = min(maximum, Int(min(1e9, rng.pareto(alpha: alpha, xm: minimum))))
        case .lognormal(let mu, let sigma, let maximum): planned = min(maximum, max(1, Int(min(1e9, rng.lognormal(mu: mu, sigma: sigma)).rounded(.up))))
        case .geometric(let mean, let maximum):
            let p = 1 / mean
            planned = min(maximum, p >= 1 ? 1 : 1 + Int(min(1e9, Foundation.log(rng.uniformPositive()) / Foundation.log(1 - p))))
        case .fixed(let n): planned = n
        }
        return (planned, rng.bernoulli(settings.firstVisitDropout))
    }

    /// Seconds a suite takes: lognormal around the worker's median × the number of tasks.
    /// - Parameter logTasks: ln of the suite's number of tasks.
    @inline(__always)
    package func suiteSeconds(logMedian: Double, logTasks: Double, _ rng: inout SimulationRandom) -> Double {
        Foundation.exp(logMedian + logTasks + settings.responseSigma * rng.normal())
    }

    /// The label a worker gives to a task whose true label is `truth`, among `k` labels `0..<k`.
    ///
    /// - Parameters:
    ///   - kind: 0 general, 1 control, 2 training (golden detectors recognise 1 and 2).
    ///   - key: the task's identity (a colluding group's answer is fixed per group and key).
    ///   - difficulty: 0 normal, 1 easy, 2 impossible (``TaskSettings/Difficulty/discrete(easy:hard:impossible:)``).
    ///   - beta: the task's GLAD β (1 for control and training tasks); read only by GLAD workers.
    ///   - k: the number of labels; a confusion worker needs the scenario's own (``k``).
    @inline(__always)
    package func answer(code: UInt8, parameter: Double, fixed: Int32, confusion: Int32, kind: UInt8, key: UInt64, truth: Int32,
                        difficulty: UInt8, beta: Double, k: Int, _ rng: inout SimulationRandom) -> Int32 {
        let k32 = Int32(k)
        @inline(__always) func other(_ u: Int) -> Int32 { (truth + 1 + Int32(u)) % k32 }
        switch code {
        case ModelCode.spammer:
            return Int32(rng.below(k))
        case ModelCode.fixedAnswer:
            return fixed
        case ModelCode.adversarial:
            return rng.bernoulli(parameter) ? (truth + fixed) % k32 : Int32(rng.below(k))
        case ModelCode.goldenDetector:
            if kind != 0, rng.bernoulli(parameter) { return truth }
            return Int32(rng.below(k))
        case ModelCode.colluding:
            // The leader's answer: a one-coin draw fixed per (group, task), so every member copies it.
            let h = SimulationRandom.hash(seed, UInt64(UInt32(bitPattern: fixed)), key)
            if difficulty == 1 { return truth }
            if difficulty == 2 { return Int32(h % UInt64(k)) }
            let u = Double(h >> 11) * 0x1p-53
            return u < parameter ? truth : other(Int((h & 0xFFFF) % UInt64(k - 1)))
        default:
            break
        }
        if difficulty == 1 { return truth }
        if difficulty == 2 { return Int32(rng.below(k)) }
        switch code {
        case ModelCode.oneCoin:
            return rng.bernoulli(parameter) ? truth : other(rng.below(k - 1))
        case ModelCode.glad:
            let p = 1 / (1 + Foundation.exp(-parameter * beta))
            return rng.bernoulli(p) ? truth : other(rng.below(k - 1))
        case ModelCode.confusion:
            let base = Int(confusion) + Int(truth) * k
            let u = rng.uniform()
            var j = 0
            while j < k - 1, u >= confusionCDF[base + j] { j += 1 }
            return Int32(j)
        default:
            return Int32(rng.below(k))
        }
    }

    /// A worker's expected accuracy on a general task drawn from the prior, from its true parameters
    /// (GLAD at the median difficulty; discrete difficulty mixed in for honest types).
    package static func expectedAccuracy(_ model: WorkerType.Model, parameter p: Double, fixed: Int32, scenario: Scenario) -> Double {
        let k = Double(scenario.labels.count)
        let prior = scenario.tasks.prior ?? Array(repeating: 1 / k, count: Int(k))
        var honest = true
        var base: Double
        switch model {
        case .oneCoin, .colluding: base = p
        case .confusion: base = p
        case .glad:
            var beta = 1.0
            if case .glad(let mu, _) = scenario.tasks.difficulty { beta = Foundation.exp(mu) }
            base = 1 / (1 + Foundation.exp(-p * beta))
        case .uniformSpammer, .fastCheater, .goldenDetector: base = 1 / k; honest = false
        case .fixedAnswer: base = prior[Int(fixed)]; honest = false
        case .adversarial: base = (1 - p) / k; honest = false
        }
        if honest, case .discrete(let easy, let hard, let impossible) = scenario.tasks.difficulty {
            base = easy + hard * base + impossible / k
        }
        return base
    }
}

/// Draws index `i` with probability `p[i]` by inversion (the last index takes any rounding leftover).
package func drawCategory(_ p: [Double], _ r: inout SimulationRandom) -> Int32 {
    var u = r.uniform()
    for (i, x) in p.enumerated() { u -= x; if u < 0 { return Int32(i) } }
    return Int32(p.count - 1)
}

extension TaskSettings.Difficulty {
    /// A general task's GLAD β: `exp(N(log_beta_mean, log_beta_sd))`; 1 without GLAD difficulty (no draw).
    package func drawBeta(_ r: inout SimulationRandom) -> Double {
        guard case .glad(let mu, let sd) = self else { return 1 }
        return Foundation.exp(r.normal(mean: mu, sd: sd))
    }

    /// A general task's discrete difficulty: 0 hard (the worker's model), 1 easy, 2 impossible; 0 without
    /// discrete difficulty (no draw).
    package func drawKind(_ r: inout SimulationRandom) -> UInt8 {
        guard case .discrete(let easy, _, let impossible) = self else { return 0 }
        let u = r.uniform()
        return u < easy ? 1 : (u >= 1 - impossible ? 2 : 0)
    }
}
