import Foundation
import Testing
@testable import TallyAggregation

/// The two copies of MINPACK-2's `dcstep` share one body; their flavours differ only where a NaN
/// (or a zero slope) meets `min`, `max`, the slopes' sign or a bound, as their sources do.
@Suite("dcstep flavours (SciPy's Python copy, L-BFGS-B's C copy)")
struct DcstepFlavourTests {
    typealias Flavour = DcsrchState.Flavour

    @Test("a NaN: Swift's min/max and the Python bound keep it, C's fmin/fmax and bound drop it")
    func nanHandling() {
        #expect(Flavour.python.max(.nan, 1).isNaN)
        #expect(Flavour.c.max(.nan, 1) == 1)
        #expect(Flavour.python.min(.nan, 1).isNaN)
        #expect(Flavour.c.min(.nan, 1) == 1)
        #expect(Flavour.python.clip(.nan, 0, 1).isNaN)
        #expect(Flavour.c.clip(.nan, 0, 1) == 1)
        #expect(Flavour.python.clip(2, 0, 1) == 1 && Flavour.c.clip(-1, 0, 1) == 0)
    }

    @Test("the slopes' sign: a zero slope gives 0 in Python, NaN (0/0) in C")
    func slopeSign() {
        #expect(Flavour.python.slopeSign(2, -3) < 0 && Flavour.c.slopeSign(2, -3) < 0)
        #expect(Flavour.python.slopeSign(2, 0) == 0)
        #expect(Flavour.c.slopeSign(2, 0).isNaN)
    }

    @Test("finite trial points: both flavours take the same step and interval", arguments: [
        // (stx, fx, dx, stp, fp, dp): a higher value, slopes of opposite sign, a shrinking slope, a growing one.
        [0.0, 1.0, -2.0, 1.0, 3.0, 1.0],
        [0.0, 1.0, -2.0, 0.5, 0.2, 0.5],
        [0.0, 1.0, -2.0, 0.5, 0.4, -1.0],
        [0.0, 1.0, -2.0, 0.5, 0.4, -3.0],
    ])
    func finiteSteps(_ p: [Double]) {
        func run(_ flavour: Flavour, bracketed: Bool) -> [Double] {
            var stx = p[0], fx = p[1], dx = p[2], stp = p[3]
            var sty = 2.0, fy = 2.0, dy = 1.0, brackt = bracketed
            DcsrchState.dcstep(flavour, stx: &stx, fx: &fx, dx: &dx, sty: &sty, fy: &fy, dy: &dy, stp: &stp, fp: p[4], dp: p[5],
                               brackt: &brackt, stpmin: 0, stpmax: 10)
            return [stx, fx, dx, sty, fy, dy, stp, brackt ? 1 : 0]
        }
        for bracketed in [false, true] {
            let python = run(.python, bracketed: bracketed), c = run(.c, bracketed: bracketed)
            #expect(python[6].isFinite)
            for (a, b) in zip(python, c) { #expect(abs(a - b) <= 1e-12 * max(1, abs(a)), "\(python) vs \(c)") }
        }
    }
}
