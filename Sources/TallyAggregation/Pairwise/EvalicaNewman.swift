/// Newman's algorithm (evalica 0.4.2's `newman`): Bradley-Terry with ties (Davidson's model),
/// fitted by Newman's (2023) fast iteration, with the tie parameter `v` re-estimated each step.
///
/// Each iteration (all items at once, from the previous scores `p`): with `cᵢⱼ = pᵢ + pⱼ +
/// 2v√(pᵢpⱼ)` and `h = win + tie/2`, `pᵢ ← Σⱼ hᵢⱼ (pⱼ + v√(pᵢpⱼ)) / cᵢⱼ / Σⱼ hⱼᵢ (1 + v√(pⱼ/pᵢ)) / cᵢⱼ`
/// and `v ← (Σ tieᵢⱼ (pᵢ + pⱼ) / cᵢⱼ / 2) / (2 Σ winᵢⱼ √(pᵢpⱼ) / cᵢⱼ)`. Wins and draws are scaled
/// by `weights.win` and `weights.tie` first (both 1 by default, as in evalica).
public struct EvalicaNewman: EvalicaMethod {
    /// The starting tie parameter (evalica's `v_init`).
    public var vInit: Double
    /// The factors of the win and tie matrices (evalica's `tie_weight` is 1 here, unlike the other methods).
    public var weights: EvalicaWeights
    /// When the iteration stops.
    public var stopping: EvalicaStopping

    /// Newman's algorithm (evalica's defaults unless given: draws weigh 1).
    public init(vInit: Double = 0.5, weights: EvalicaWeights = EvalicaWeights(tie: 1), stopping: EvalicaStopping = EvalicaStopping()) {
        self.vInit = vInit
        self.weights = weights
        self.stopping = stopping
    }

    /// The score of each item, by position.
    public func scores(_ c: EvalicaComparisons) -> [Double] { fit(c).scores }

    /// The scores, the tie parameter of the last iteration and the iterations run.
    public func fit(_ c: EvalicaComparisons) -> (scores: [Double], v: Double, iterations: Int) {
        let n = c.itemCount
        var s = [Double](repeating: 1, count: n)
        var v = vInit
        guard c.count > 0, n > 0 else { return (s, v, 0) }
        let tolerance = stopping.tolerance
        var (win, tie) = c.matrices()
        for k in win.indices {
            win[k] = Evalica.finite(win[k], tolerance) * weights.win
            tie[k] = Evalica.finite(tie[k], tolerance) * weights.tie
        }
        var half = [Double](repeating: 0, count: n * n)
        for k in half.indices { half[k] = Evalica.finite(Evalica.finite(win[k], tolerance) + Evalica.finite(tie[k], tolerance) * 0.5, tolerance) }
        let halfT = Evalica.transposed(half, n: n)
        var vNext = v
        var iterations = 0, converged = false
        var next = [Double](repeating: 0, count: n)
        var common = [Double](repeating: 0, count: n * n)
        var row = [Double](repeating: 0, count: n), row2 = [Double](repeating: 0, count: n)
        var tieTerms = [Double](repeating: 0, count: n * n), winTerms = [Double](repeating: 0, count: n * n)
        while !converged && iterations < stopping.limit {
            iterations += 1
            v = Evalica.finite(vNext, tolerance)
            let twoV = 2 * v
            for i in 0..<n {
                for j in 0..<n {
                    let root = (s[j] * s[i]).squareRoot()
                    let sum = s[j] + s[i]
                    let cij = sum + twoV * root
                    common[i * n + j] = cij
                    row[j] = half[i * n + j] * (s[j] + v * root) / cij
                    row2[j] = halfT[i * n + j] * (1 + v * (s[j] / s[i]).squareRoot()) / cij
                    tieTerms[i * n + j] = tie[i * n + j] * sum / cij
                    winTerms[i * n + j] = win[i * n + j] * root / cij
                }
                let num = row.withUnsafeBufferPointer(Evalica.unrolledSum)
                let den = row2.withUnsafeBufferPointer(Evalica.unrolledSum)
                next[i] = Evalica.finite(num / den, tolerance)
            }
            let vNum = tieTerms.withUnsafeBufferPointer(Evalica.unrolledSum) / 2
            let vDen = winTerms.withUnsafeBufferPointer(Evalica.unrolledSum) * 2
            vNext = vNum / vDen
            converged = Evalica.distance(next, s) < tolerance
            swap(&s, &next)
        }
        return (s, v, iterations)
    }
}
