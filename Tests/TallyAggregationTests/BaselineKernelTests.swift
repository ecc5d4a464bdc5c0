import CTallyKernels
import Foundation
import Testing
import TallyAggregation
import TallyCore

/// The C kernels' baseline (non-AVX2) copies, which a CPU without AVX2+FMA runs, against the AVX2
/// copies this machine runs by default. `tally_kernels_force_baseline` switches the calling thread
/// only, and the fits run on one thread, so the test exercises exactly the baseline code.
///
/// The copies are the same C source compiled twice; the AVX2+FMA copy may fuse multiplies and adds
/// and vectorise sums, so posteriors may differ in the last bits, which EM carries through its
/// iterations. Labels must be identical; probabilities within ``tolerance``. Measured 2026-12-07 on
/// these four sets: DS, OneCoin-DS and BWA identical to the bit, EBCC and IBCC within 8e-15.
/// GLAD is held to 0, the same bits: both of its copies compute every answer's terms with the same
/// operations (glad_math.h's own e^x and log1p, no libm, no fused multiply-add in either copy; the
/// lanes checked against the scalar spelling in ``GLADMathTests``), and the sums are exact, so its
/// 25-step conjugate-gradient M-step has no last-bit difference to amplify (before 2026-12-08 the
/// vector exp/log1p differed from libm's and GLAD was allowed 1e-2: 6.2e-3 on snow-rte). GLAD's
/// abilities and difficulties are compared bit for bit too.
@Suite("C kernels, baseline copies")
struct BaselineKernelTests {
    static let tolerance: [String: Double] = ["ds": 1e-12, "onecoin-ds": 1e-12, "bwa": 1e-12, "ebcc": 1e-12, "ibcc": 1e-12, "glad": 0]
    /// The methods whose fits call the C kernels (DS K = 2 and K > 2, GLAD, EBCC with its special
    /// functions, IBCC, BWA).
    static let methods = ["ds", "onecoin-ds", "glad", "ebcc", "ibcc", "bwa"]

    static func fit(_ method: String, _ table: AnswerTable, baseline: Bool) throws -> MethodResult {
        tally_kernels_force_baseline(baseline ? 1 : 0)
        defer { tally_kernels_force_baseline(0) }
        if baseline { #expect(tally_kernels_avx2() == 0, "the switch did not take") }
        let parameters = MethodParameters(execution: ExecutionSettings(threads: 1))
        return try MethodRegistry.method(named: method).fit(table, parameters: parameters)
    }

    @Test("baseline and AVX2 copies agree", arguments: ["bluebirds", "snow-rte", "snow-wsd", "gal-bm"])
    func agree(dataset: String) throws {
        let table = try AnswerReader.read(try TestData.answersPath(dataset)).table
        for method in Self.methods {
            let fast = try Self.fit(method, table, baseline: false)
            let plain = try Self.fit(method, table, baseline: true)
            #expect(plain.labels == fast.labels, "\(dataset) \(method): labels differ")
            let a = fast.probabilities.values, b = plain.probabilities.values
            #expect(a.count == b.count && !a.isEmpty)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= Self.tolerance[method]!, "\(dataset) \(method): max |Δp| \(worst)")
            if method == "glad" {
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(dataset) glad: probabilities' bits differ")
                #expect(fast.skills?.map(\.bitPattern) == plain.skills?.map(\.bitPattern), "\(dataset) glad: abilities differ")
            }
        }
    }
}
