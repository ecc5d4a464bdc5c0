import TallyCore

/// One pass of a partitioned fit over a ``TaskPartition``: what the partition computes from the
/// global parameters, as a flat vector of statistics that adds up over partitions (element-wise
/// sums), plus, on request, its tasks' posteriors and labels.
///
/// The passes name no method: ``PartitionedFit`` says which pass runs next and with which
/// parameters. With `W` workers and `K` labels the layouts are (each ends with the partition's
/// task and answer counts):
///
/// | pass | parameters | statistics |
/// |---|---|---|
/// | ``start`` | none | counts `n[w,y,c]` (W·K·K), posterior column sums (K), answers per `(w,y)` row (W·K) |
/// | ``eStep`` | `ln prior` (K), `ln e[w,y,c]` (W·K·K), hard (0/1), floor (0/1) | counts (W·K·K), posterior column sums (K), entropy term (1) |
/// | ``vote`` | none | agreements with the majority per worker (W), distinct answers per worker (W) |
/// | ``weightedVote`` | weight per worker (W) | none |
///
/// The posteriors of ``start`` are majority-vote shares, of ``eStep`` the E-step's (floored at
/// 1e-10 when `floor` is 1, as the single-machine fit reports them), of ``vote`` and
/// ``weightedVote`` the (weighted) vote shares.
package enum PartitionPass: Int32, Sendable, CaseIterable {
    /// Dawid-Skene's start: majority-vote posteriors scattered into count tables.
    case start = 0
    /// Dawid-Skene's E-step with the next M-step's scatter.
    case eStep = 1
    /// Majority vote and each worker's agreement with it.
    case vote = 2
    /// The vote weighted by per-worker weights.
    case weightedVote = 3

    /// The length of the statistics vector for `workers` workers and `labels` labels.
    package func statisticsCount(workers: Int, labels k: Int) -> Int {
        switch self {
        case .start: return workers * k * k + k + workers * k + 2
        case .eStep: return workers * k * k + k + 1 + 2
        case .vote: return 2 * workers + 2
        case .weightedVote: return 2
        }
    }

    /// The length of the parameter vector.
    package func parameterCount(workers: Int, labels k: Int) -> Int {
        switch self {
        case .start, .vote: return 0
        case .eStep: return k + workers * k * k + 2
        case .weightedVote: return workers
        }
    }
}

extension TaskPartition {
    /// Runs `pass` with `parameters`: writes the statistics (``PartitionPass/statisticsCount(workers:labels:)``
    /// entries, overwritten) and, when given, the posteriors (tasks × K) and first-max labels (tasks).
    ///
    /// - Throws: ``AggregationError`` when a vector has the wrong length.
    package func run(_ pass: PartitionPass, parameters: UnsafeBufferPointer<Double>, statistics: UnsafeMutableBufferPointer<Double>,
                     posteriors: UnsafeMutableBufferPointer<Double>? = nil, labels: UnsafeMutableBufferPointer<Int32>? = nil,
                     cKernels: Bool = true) throws {
        let (w, k, t) = (workerCount, labelCount, taskCount)
        let needParameters = pass.parameterCount(workers: w, labels: k), needStatistics = pass.statisticsCount(workers: w, labels: k)
        guard parameters.count == needParameters else {
            throw AggregationError("pass \(pass) takes \(needParameters) parameters for \(w) workers and \(k) labels, got \(parameters.count)")
        }
        guard statistics.count == needStatistics else {
            throw AggregationError("pass \(pass) writes \(needStatistics) statistics for \(w) workers and \(k) labels; the buffer holds \(statistics.count)")
        }
        if let posteriors, posteriors.count != t * k {
            throw AggregationError("the posteriors buffer holds \(posteriors.count) numbers; \(t) tasks × \(k) labels need \(t * k)")
        }
        if let labels, labels.count != t { throw AggregationError("the labels buffer holds \(labels.count) entries; there are \(t) tasks") }
        statistics.update(repeating: 0)
        let p = posteriors ?? .allocate(capacity: t * k)
        defer { if posteriors == nil { p.deallocate() } }
        p.update(repeating: 0)
        let table = w * k * k
        switch pass {
        case .start:
            DawidSkeneEngine.partitionStart(self, posteriors: p, counts: statistics.extracting(0..<table),
                                            priorSum: statistics.extracting(table..<(table + k)),
                                            rowAnswers: statistics.extracting((table + k)..<(table + k + w * k)))
        case .eStep:
            let logPrior = Array(parameters[0..<k])
            let logConfusion = UnsafeBufferPointer(rebasing: parameters[k..<(k + table)])
            let hard = parameters[k + table] != 0, floor = parameters[k + table + 1] != 0
            statistics[table + k] = DawidSkeneEngine.partitionEStep(
                self, logPrior: logPrior, logConfusion: logConfusion, hard: hard, cKernels: cKernels, posteriors: p,
                counts: statistics.extracting(0..<table), priorSum: statistics.extracting(table..<(table + k)))
            if floor { for i in 0..<(t * k) where p[i] < DawidSkeneEngine.eps { p[i] = DawidSkeneEngine.eps } }
        case .vote:
            VoteKernels.partitionAgreement(self, posteriors: p, correct: statistics.extracting(0..<w), total: statistics.extracting(w..<(2 * w)))
        case .weightedVote:
            VoteKernels.partitionWeightedVote(self, weights: parameters, posteriors: p)
        }
        statistics[needStatistics - 2] = Double(t)
        statistics[needStatistics - 1] = Double(answerCount)
        if let labels {
            for task in 0..<t { labels[task] = Int32(Self.firstMaxLabel(p, task: task, labels: k)) }
        }
    }

    /// ``run(_:parameters:statistics:posteriors:labels:cKernels:)`` on arrays: the statistics, and
    /// the posteriors and labels when `posteriors` is true.
    package func run(_ pass: PartitionPass, parameters: [Double], posteriors wantPosteriors: Bool = false) throws
        -> (statistics: [Double], posteriors: [Double]?, labels: [Int32]?) {
        var statistics = [Double](repeating: 0, count: pass.statisticsCount(workers: workerCount, labels: labelCount))
        var p = [Double](repeating: 0, count: wantPosteriors ? taskCount * labelCount : 0)
        var l = [Int32](repeating: 0, count: wantPosteriors ? taskCount : 0)
        try parameters.withUnsafeBufferPointer { params in
            try statistics.withUnsafeMutableBufferPointer { s in
                try p.withUnsafeMutableBufferPointer { p in
                    try l.withUnsafeMutableBufferPointer { l in
                        try run(pass, parameters: params, statistics: s, posteriors: wantPosteriors ? p : nil, labels: wantPosteriors ? l : nil)
                    }
                }
            }
        }
        return (statistics, wantPosteriors ? p : nil, wantPosteriors ? l : nil)
    }
}
