import Foundation

extension NumpyRandomState {
    /// numpy's legacy `standard_exponential()`: `−log(1 − random_sample())`.
    mutating func standardExponential() -> Double {
        -log(1.0 - randomSample())
    }

    /// One draw of numpy's legacy `dirichlet(ones(count))` written into `out[0..<count]`: `count`
    /// standard exponentials (numpy's gamma(1) in `RandomState`), each multiplied by the inverse of
    /// their sum accumulated left to right — numpy's order of operations, so the doubles are equal.
    mutating func flatDirichlet(into out: UnsafeMutablePointer<Double>, count: Int) {
        var total = 0.0
        for g in 0..<count {
            let e = standardExponential()
            out[g] = e
            total += e
        }
        let inverse = 1 / total
        for g in 0..<count { out[g] *= inverse }
    }
}
