import Foundation

/// ψ and ln Γ of one positive argument at once, for the Dirichlet expectations and KL terms of the
/// variational Bayesian models (IBCC): one shared shift to x ≥ 10 (recurrence, with the sum of
/// reciprocals kept as one fraction), one `log` of the shifted x and one of the shift's product,
/// then the asymptotic series of both (terms to x⁻¹⁴ and x⁻¹³: below 1e-15 at x = 10). Agrees with
/// SciPy's `digamma` and `gammaln` to about 1e-15 absolute.
enum DirichletFunctions {
    /// `(ψ(x), ln Γ(x))` for `x > 0`.
    @inline(__always)
    static func digammaLogGamma(_ x0: Double) -> (digamma: Double, logGamma: Double) {
        let (x, numerator, product) = shifted(x0)
        let inv = 1 / x, inv2 = inv * inv, lx = log(x)
        let lgTail = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188
            - inv2 * (691.0 / 360360 - inv2 * (1.0 / 156)))))))
        var psi = lx - 0.5 * inv - digammaTail(inv2)
        var lg = (x - 0.5) * lx - x + 0.918_938_533_204_672_741_78 + lgTail
        if x0 < 10 {
            psi -= numerator / product
            lg -= log(product)
        }
        return (psi, lg)
    }

    /// `ψ(x)` for `x > 0`, as ``digammaLogGamma(_:)`` without ln Γ: the shift to x ≥ 10 with the
    /// reciprocals summed as one fraction (no division per step), one `log`, one division and the
    /// asymptotic series. Agrees with SciPy's `digamma` to about 1e-15 absolute.
    @inline(__always)
    static func digamma(_ x0: Double) -> Double {
        let (x, numerator, product) = shifted(x0)
        let inv = 1 / x, inv2 = inv * inv
        let psi = log(x) - 0.5 * inv - digammaTail(inv2)
        return x0 < 10 ? psi - numerator / product : psi
    }

    /// The shift of `x0` to `x ≥ 10` by the recurrence: `Σ 1/(x0 + i) = numerator / product`,
    /// built without a division per step (`product` is `x0 (x0 + 1) …`, whose log ln Γ subtracts).
    @inline(__always)
    private static func shifted(_ x0: Double) -> (x: Double, numerator: Double, product: Double) {
        var x = x0
        var numerator = 0.0, product = 1.0
        while x < 10 {
            numerator = numerator * x + product
            product *= x
            x += 1
        }
        return (x, numerator, product)
    }

    /// The asymptotic series of ψ after `ln x − 1/(2x)`, in `inv2 = x⁻²` (terms to x⁻¹⁴).
    @inline(__always)
    private static func digammaTail(_ inv2: Double) -> Double {
        inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132
            - inv2 * (691.0 / 32760 - inv2 * (1.0 / 12)))))))
    }
}
