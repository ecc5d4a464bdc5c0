import TallyCore

/// Dawid-Skene with one skill per worker: a worker answers right with probability `s_w` and
/// spreads the rest evenly over the other labels.
///
/// Same loop as ``DawidSkene``; the M-step sets `s_w` to the mean posterior of the worker's own
/// answers, then `e[w,y,c] = s_w` if `y = c`, else `(1 − s_w)/(K − 1)`, on the labels the worker
/// gave, clipped to [1e-10, 1 − 1e-10] and not renormalised — exactly as crowd-kit 1.4.2's
/// `OneCoinDawidSkene`.
public struct OneCoinDawidSkene: Aggregator {
    public var maxIterations: Int
    public var tolerance: Double
    public var progress: (@Sendable (Int, Double) -> Void)?

    public init(maxIterations: Int = 100, tolerance: Double = 1e-5, progress: (@Sendable (Int, Double) -> Void)? = nil) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.progress = progress
    }

    public func fit(_ answers: AnswerTable) throws -> DawidSkeneModel {
        try DawidSkeneEngine.fit(answers, mStep: .oneCoin, maxIterations: maxIterations, tolerance: tolerance, progress: progress)
    }
}
