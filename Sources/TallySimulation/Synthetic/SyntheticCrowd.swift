import Dispatch
import TallyCore

/// A large synthetic crowd drawn straight into an Arrow file, with its truth and worker parameters
/// beside it: the data for measuring aggregation at 10⁸–10⁹ answers (`tally synth`).
///
/// Each task gets a true class from the prior and `overlap` distinct workers drawn uniformly;
/// each answer is drawn from the worker's model: **one-coin** (right with the worker's accuracy,
/// else one of the other classes uniformly) or **confusion** (a full matrix per worker: for each
/// true class, the accuracy drawn from the same distribution and the rest split by a uniform
/// Dirichlet). A fraction of `spammers` answer uniformly at random. Answers are grouped by task,
/// tasks in order.
///
/// Every random number is a function of the seed and the task (or worker) index, so the bytes
/// written do not depend on the number of threads.
///
///     var crowd = SyntheticCrowd(tasks: 1_000_000, workers: 10_000, overlap: 10, classes: 2)
///     crowd.seed = 7
///     let summary = try crowd.write(to: "out")   // out/answers.arrow, out/gold.tsv, out/workers.tsv
///     print(summary.answers)                     // 10000000
public struct SyntheticCrowd: Sendable {
    /// How workers answer.
    public enum Model: String, Sendable, CaseIterable {
        /// Right with the worker's accuracy, else another class uniformly.
        case oneCoin = "one-coin"
        /// A confusion matrix per worker.
        case confusion
    }

    /// The distribution of workers' accuracies (of each row's diagonal, for ``Model/confusion``).
    public enum Accuracy: Sendable, Equatable {
        /// Every worker the same.
        case fixed(Double)
        /// Uniform between the bounds.
        case uniform(Double, Double)
        /// Beta(a, b).
        case beta(Double, Double)

        /// Parses `0.8`, `fixed:0.8`, `uniform:0.6,0.9` or `beta:4,2`; `nil` when it is none of those
        /// or a value lies outside [0, 1] (or a Beta parameter is not positive).
        public init?(_ text: String) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            let numbers = (parts.last ?? "").split(separator: ",").compactMap { Double($0) }
            switch (parts.count == 1 ? "fixed" : parts[0], numbers.count) {
            case ("fixed", 1) where (0...1).contains(numbers[0]): self = .fixed(numbers[0])
            case ("uniform", 2) where (0...1).contains(numbers[0]) && (numbers[0]...1).contains(numbers[1]): self = .uniform(numbers[0], numbers[1])
            case ("beta", 2) where numbers[0] > 0 && numbers[1] > 0: self = .beta(numbers[0], numbers[1])
            default: return nil
            }
        }

        func draw(_ r: inout SplitMix64) -> Double {
            switch self {
            case .fixed(let a): return a
            case .uniform(let lo, let hi): return lo + (hi - lo) * r.unit()
            case .beta(let a, let b):
                let x = SyntheticCrowd.gamma(a, &r), y = SyntheticCrowd.gamma(b, &r)
                return x / (x + y)
            }
        }
    }

    /// Tasks (answers = tasks × overlap).
    public var tasks: Int
    /// Workers.
    public var workers: Int
    /// Distinct workers per task.
    public var overlap: Int
    /// Classes, K ≥ 2; named `c0` … `c{K-1}`.
    public var classes: Int
    /// How workers answer.
    public var model: Model = .oneCoin
    /// Workers' accuracy distribution.
    public var accuracy: Accuracy = .uniform(0.6, 0.9)
    /// The fraction of workers who answer uniformly at random.
    public var spammers: Double = 0
    /// Class weights (normalised); `nil` for uniform.
    public var prior: [Double]? = nil
    /// The seed.
    public var seed: UInt64 = 1

    /// A crowd of these sizes with the other settings at their defaults.
    public init(tasks: Int, workers: Int, overlap: Int, classes: Int) {
        self.tasks = tasks
        self.workers = workers
        self.overlap = overlap
        self.classes = classes
    }

    /// What ``write(to:threads:sync:)`` produced.
    public struct Summary: Sendable {
        /// Answers written.
        public let answers: Int
        /// Seconds drawing the answers and writing `answers.arrow` (flush excluded).
        public let answerSeconds: Double
        /// Seconds flushing `answers.arrow` to disk and renaming it into place.
        public let flushSeconds: Double
        /// Seconds writing `gold.tsv` and `workers.tsv`.
        public let truthSeconds: Double
        /// The fraction of answers equal to their task's truth.
        public let answerAccuracy: Double
    }

    /// The problem with these settings, or `nil` when they can be generated.
    public var problem: String? {
        if tasks < 1 { return "tasks must be at least 1" }
        if workers < 1 || workers > Int(Int32.max) / 1000 { return "workers must be between 1 and \(Int(Int32.max) / 1000)" }
        if overlap < 1 || overlap > workers { return "overlap must be between 1 and the number of workers (\(workers)), got \(overlap)" }
        if classes < 2 || classes > 1000 { return "classes must be between 2 and 1000, got \(classes)" }
        if tasks > Int(Int32.max) / classes - 1 { return "tasks × classes must stay below 2^31" }
        if !(0...1).contains(spammers) { return "the spammer fraction must lie in [0, 1]" }
        if let prior, prior.count != classes || prior.contains(where: { !($0 >= 0) }) || !(prior.reduce(0, +) > 0) {
            return "the prior needs \(classes) non-negative weights, not all zero"
        }
        return nil
    }

    /// Per worker: `K × K` cumulative thresholds (row = true class) on a 32-bit draw, the accuracy
    /// (mean diagonal), the probabilities, and whether it is a spammer.
    struct Workers {
        var thresholds: [UInt64]
        var accuracy: [Double]
        var probabilities: [Double]
        var spammer: [Bool]
    }

    func drawWorkers() -> Workers {
        let k = classes
        var w = Workers(thresholds: [], accuracy: [], probabilities: [], spammer: [])
        w.thresholds.reserveCapacity(workers * k * k)
        for id in 0..<workers {
            var r = SplitMix64(seed: SyntheticCrowd.key(seed, 0x574F_524B, UInt64(id)))
            let spam = r.unit() < spammers
            let shared = accuracy.draw(&r)
            var rows: [Double] = []
            var diagonal = 0.0
            for t in 0..<k {
                let a = spam ? 1.0 / Double(k) : model == .oneCoin ? shared : accuracy.draw(&r)
                var row = [Double](repeating: 0, count: k)
                if model == .oneCoin || spam {
                    for c in 0..<k { row[c] = c == t ? a : (1 - a) / Double(k - 1) }
                } else {
                    var e = (0..<k - 1).map { _ in -log(1 - r.unit()) }
                    let s = e.reduce(0, +)
                    for i in e.indices { e[i] /= s }
                    var j = 0
                    for c in 0..<k where c != t { row[c] = (1 - a) * e[j]; j += 1 }
                    row[t] = a
                }
                diagonal += a
                var cum = 0.0
                for c in 0..<k {
                    cum += row[c]
                    w.thresholds.append(c == k - 1 ? 1 << 32 : UInt64(min(cum, 1) * 4_294_967_296))
                }
                rows += row
            }
            w.accuracy.append(diagonal / Double(k))
            w.probabilities += rows
            w.spammer.append(spam)
        }
        return w
    }

    /// Cumulative thresholds of the prior on a 32-bit draw.
    var priorThresholds: [UInt64] {
        let p = prior ?? [Double](repeating: 1, count: classes)
        let s = p.reduce(0, +)
        var cum = 0.0
        return p.indices.map { c in
            cum += p[c] / s
            return c == classes - 1 ? 1 << 32 : UInt64(min(cum, 1) * 4_294_967_296)
        }
    }

    /// The true class of task `t`.
    @inline(__always)
    static func truth(_ t: Int, seed: UInt64, prior: UnsafePointer<UInt64>, classes: Int) -> Int {
        let u = SyntheticCrowd.mix(SyntheticCrowd.key(seed, 0x5452_5554, UInt64(t))) >> 32
        var c = 0
        while c < classes - 1 && u >= prior[c] { c += 1 }
        return c
    }

    /// A stream key from the seed, a purpose tag and an index.
    @inline(__always)
    static func key(_ seed: UInt64, _ tag: UInt64, _ index: UInt64) -> UInt64 {
        mix(seed &* 0x9E37_79B9_7F4A_7C15 ^ mix(tag << 40 ^ index))
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Marsaglia and Tsang's Gamma(shape, 1) sampler.
    static func gamma(_ shape: Double, _ r: inout SplitMix64) -> Double {
        if shape < 1 { return gamma(shape + 1, &r) * pow(max(r.unit(), 1e-300), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                // Box–Muller normal.
                let u1 = max(r.unit(), 1e-300), u2 = r.unit()
                x = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = r.unit()
            if u < 1 - 0.0331 * x * x * x * x || log(max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
