/// Where a minimiser (``ConjugateGradient``, ``LimitedMemoryBFGS``) stopped and what it found
/// there.
struct MinimizerResult {
    /// Why a minimiser stopped.
    enum Stop: String {
        /// The largest gradient component fell to the gradient tolerance.
        case gradient
        /// The objective's relative reduction fell to the reduction tolerance (L-BFGS-B's `ftol`).
        case reduction
        /// The iteration limit was reached.
        case iterations
        /// The line search found no acceptable step; the last accepted point is kept.
        case lineSearch = "line search"
    }

    /// The last accepted point.
    var x: [Double]
    /// The objective there.
    var value: Double
    /// Iterations taken.
    var iterations: Int
    /// Evaluations of the objective (and gradient), the start included.
    var evaluations: Int
    /// Why it stopped.
    var stop: Stop

    /// The line search failed before the gradient test or the iteration limit stopped it.
    var lineSearchFailed: Bool { stop == .lineSearch }
    /// ``stop`` as text: `gradient`, `reduction`, `iterations` or `line search`.
    var reason: String { stop.rawValue }
}
