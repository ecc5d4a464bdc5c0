import CTallyBLAS
import Foundation
import TallyCore

/// The sign-determination graph of crowd-kit's `_sign_determination_valid`, kept implicit.
///
/// Nodes: the `n` valid workers (`C` row sum ≠ 0) and one node per positive pair `i < j`. Edges:
/// negative pairs directly (crowd-kit mode: every valid pair — self included — except observed
/// pairs with `C ≥ 0`), each positive pair as `i — e — j`. The eigenvector of the smallest
/// eigenvalue of `D⁻¹A` is `D^{-1/2}` times that of `M = D^{-1/2} A D^{-1/2}`; only signs matter.
struct SignSolver: @unchecked Sendable {
    let graph: PairGraph
    let crowdKit: Bool
    let seed: UInt64
    /// Per worker: node index, or −1 when not valid.
    let compact: [Int32]
    let valid: [Int32]
    /// Per pair-graph entry: the edge node of a positive valid pair, else −1.
    let edgeOf: RawBuffer<Int32>
    let edges: Int
    let dis: RawBuffer<Double>
    let parts: [Range<Int>]

    init(graph: PairGraph, mode: MMSR.SignGraph, labelCount k: Int, seed: UInt64, threads: Int) {
        self.graph = graph
        crowdKit = mode == .crowdKit
        self.seed = seed
        let nW = graph.workerCount
        let off = graph.offsets
        var compact = [Int32](repeating: -1, count: nW)
        var valid: [Int32] = []
        let unobserved = -1 / Double(k - 1)
        for w in 0..<nW {
            var sum = 0.0
            for e in off[w]..<off[w + 1] { sum += graph.value[e] }
            if crowdKit { sum += Double(nW - (off[w + 1] - off[w])) * unobserved }
            if sum != 0 { compact[w] = Int32(valid.count); valid.append(Int32(w)) }
        }
        self.compact = compact
        self.valid = valid
        // Edge nodes for positive pairs i < j, numbered in row order; mirrors found with a cursor.
        let edgeOf = RawBuffer<Int32>(off[nW], -1)
        var cursor = Array(off.dropLast())
        var m = 0
        for i in 0..<nW {
            for e in off[i]..<off[i + 1] {
                let j = Int(graph.neighbor[e])
                guard j > i else { continue }
                let mirror = cursor[j]
                cursor[j] += 1
                if graph.value[e] > 0 && compact[i] >= 0 && compact[j] >= 0 {
                    edgeOf[e] = Int32(m)
                    edgeOf[mirror] = Int32(m)
                    m += 1
                }
            }
        }
        self.edgeOf = edgeOf
        edges = m
        let n = valid.count
        let dis = RawBuffer<Double>(n + m, 0.5.squareRoot())
        for a in 0..<n {
            let w = Int(valid[a])
            var pos = 0, nonNegative = 0, negative = 0
            for e in off[w]..<off[w + 1] where compact[Int(graph.neighbor[e])] >= 0 {
                let c = graph.value[e]
                if c > 0 { pos += 1 }
                if c >= 0 { nonNegative += 1 } else { negative += 1 }
            }
            let degree = crowdKit ? n - nonNegative + pos : negative + pos
            dis[a] = degree > 0 ? 1 / Double(degree).squareRoot() : 0
        }
        self.dis = dis
        var rowOffsets = [0]
        for a in 0..<n { let w = Int(valid[a]); rowOffsets.append(rowOffsets[a] + off[w + 1] - off[w] + 1) }
        parts = balancedParts(rowOffsets, count: rowOffsets[n] < 1 << 18 ? 1 : threads * 4)
    }

    struct Result { let sign: [Int8]; let eigenvalue: Double; let residual: Double; var converged = true }

    func solve() -> Result {
        let n = valid.count, size = n + edges
        var sign = [Int8](repeating: 0, count: graph.workerCount)
        guard n > 0 else { return Result(sign: sign, eigenvalue: .nan, residual: 0) }
        let (x, lambda, residual, converged) = size <= MMSR.denseEigenLimit ? { let d = dense(size); return (d.0, d.1, d.2, true) }() : reducedLobpcg()
        var total = 0
        for a in 0..<n {
            let s: Int8 = x[a] > 0 ? 1 : (x[a] < 0 ? -1 : 0)
            sign[Int(valid[a])] = s
            total += Int(s)
        }
        if total < 0 { for w in sign.indices { sign[w] = -sign[w] } }
        return Result(sign: sign, eigenvalue: lambda, residual: residual, converged: converged)
    }

    /// `y = M x`.
    func apply(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ s: UnsafeMutablePointer<Double>, size: Int) {
        let n = valid.count
        let total = scale(x, into: s, count: size)
        let sh = RawPointers(x: x, y: y, s: s)
        let off = graph.offsets
        parallelFor(parts.count) { part in
            let s = sh.s, y = sh.y
            for a in parts[part] {
                let w = Int(valid[a])
                var acc = crowdKit ? total : 0
                for e in off[w]..<off[w + 1] {
                    let j = Int(graph.neighbor[e])
                    let b = Int(compact[j])
                    if b < 0 { continue }
                    let c = graph.value[e]
                    if c > 0 {
                        let edge = n + Int(edgeOf[e])
                        acc += s[edge]
                        if crowdKit { acc -= s[b] }
                        if j > w { y[edge] = (s[a] + s[b]) * dis[edge] }
                    } else if c == 0 {
                        if crowdKit { acc -= s[b] }
                    } else if !crowdKit {
                        acc += s[b]
                    }
                }
                y[a] = acc * dis[a]
            }
        }
    }

    /// `s[i] = x[i] · dis[i]` for the first `count` nodes; returns the sum of `s` over the worker
    /// nodes in crowd-kit mode (where every unobserved pair is a negative edge), else 0.
    func scale(_ x: UnsafeMutablePointer<Double>, into s: UnsafeMutablePointer<Double>, count: Int) -> Double {
        for i in 0..<count { s[i] = x[i] * dis[i] }
        var sum = 0.0
        if crowdKit { for a in 0..<valid.count { sum += s[a] } }
        return sum
    }

    struct RawPointers: @unchecked Sendable {
        let x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>
    }

    /// The whole of `M` as a dense matrix, smallest eigenpair by LAPACKE `dsyevr`.
    func dense(_ size: Int) -> ([Double], Double, Double) {
        var m = [Double](repeating: 0, count: size * size)
        let x = RawBuffer<Double>(size, 0), y = RawBuffer<Double>(size, 0), s = RawBuffer<Double>(size, 0)
        for c in 0..<size {
            x[c] = 1
            apply(x.p.baseAddress!, y.p.baseAddress!, s.p.baseAddress!, size: size)
            x[c] = 0
            for r in 0..<size { m[r * size + c] = y[r] }
        }
        guard let r = BLAS.smallestEigenpairs(m, n: size) else { return ([Double](repeating: 0, count: size), .nan, .nan) }
        return (r.vectors[0], r.values[0], 0)
    }

    /// `ax = Mn x` (the worker–worker block of `M`) and `kx = K x` with `K = Bnᵀ Bn` (the part the
    /// edge nodes contribute, `K_ab = d_a^{-1/2} d_b^{-1/2} / 2` on positive pairs, `pos_a / (2 d_a)`
    /// on the diagonal), in one pass over the pairs.
    func applyReduced(_ x: UnsafeMutablePointer<Double>, _ ax: UnsafeMutablePointer<Double>, _ kx: UnsafeMutablePointer<Double>, _ s: UnsafeMutablePointer<Double>) {
        let total = scale(x, into: s, count: valid.count)
        let sh = RawPointers(x: ax, y: kx, s: s)
        let off = graph.offsets
        parallelFor(parts.count) { part in
            let s = sh.s
            for a in parts[part] {
                let w = Int(valid[a])
                var neg = crowdKit ? total : 0, pos = 0.0, positive = 0
                for e in off[w]..<off[w + 1] {
                    let b = Int(compact[Int(graph.neighbor[e])])
                    if b < 0 { continue }
                    let c = graph.value[e]
                    if c > 0 {
                        pos += s[b]; positive += 1
                        if crowdKit { neg -= s[b] }
                    } else if c == 0 {
                        if crowdKit { neg -= s[b] }
                    } else if !crowdKit {
                        neg += s[b]
                    }
                }
                sh.x[a] = neg * dis[a]
                sh.y[a] = 0.5 * dis[a] * (Double(positive) * s[a] + pos)
            }
        }
    }

    /// Smallest eigenpair of `M` without the edge nodes: with `M = [[Mn, Bnᵀ], [Bn, 0]]` an
    /// eigenvector `(x, Bn x / λ)` has `λ² x − λ Mn x − K x = 0`, and for any `x` the negative root
    /// `p(x)` of `λ²‖x‖² − λ xᵀMn x − xᵀK x = 0` is the Rayleigh quotient of `M` at
    /// `(x, Bn x / p(x))`, so `min p = λ_min(M)`. LOBPCG on `p` over worker-sized vectors: residual
    /// `Mn x + K x / λ − λ x`, Rayleigh–Ritz on `[x, r, p]` (and its image under `Bn`) by LAPACKE.
    func reducedLobpcg() -> ([Double], Double, Double, Bool) {
        let size = valid.count
        let n = Int32(size)
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        let bufs = (0..<9).map { _ in RawBuffer<Double>(size, 0) }
        let V = bufs[0..<3].map { $0.p.baseAddress! }, AV = bufs[3..<6].map { $0.p.baseAddress! }, KV = bufs[6..<9].map { $0.p.baseAddress! }
        let scratch = RawBuffer<Double>(size, 0), t = (0..<3).map { _ in RawBuffer<Double>(size, 0) }, best = RawBuffer<Double>(size, 0)
        let s = scratch.p.baseAddress!
        for i in 0..<size { V[0][i] = rng.nextUniform() - 0.5 }
        cblas_dscal(n, 1 / cblas_dnrm2(n, V[0], 1), V[0], 1)
        applyReduced(V[0], AV[0], KV[0], s)
        var hasP = false, lambda = Double.nan, residual = Double.infinity, step = 0, stable = 0
        var lastSign = [Double](repeating: 0, count: size)
        // A work budget of about 2·10⁹ pair visits (a few seconds): the real data sets settle in
        // under 100 steps; a graph that has not settled by then gets the fallback signs.
        let tol = 1e-10
        let maxSteps = max(50, min(20000, 2_000_000_000 / max(1, graph.neighbor.count)))
        var converged = false
        while step < maxSteps {
            let b = cblas_ddot(n, V[0], 1, AV[0], 1), c = cblas_ddot(n, V[0], 1, KV[0], 1)
            let next = (b - (b * b + 4 * c).squareRoot()) / 2
            if !next.isFinite || next == 0 {
                // Breakdown (e.g. an exactly degenerate −1 of a balanced graph): keep the last good x.
                cblas_dcopy(n, best.p.baseAddress!, 1, V[0], 1)
                break
            }
            lambda = next
            cblas_dcopy(n, V[0], 1, best.p.baseAddress!, 1)
            // r = Mn x + K x / λ − λ x, against ‖(x, Bn x / λ)‖.
            cblas_dcopy(n, AV[0], 1, V[1], 1)
            cblas_daxpy(n, 1 / lambda, KV[0], 1, V[1], 1)
            cblas_daxpy(n, -lambda, V[0], 1, V[1], 1)
            let r = cblas_dnrm2(n, V[1], 1) / (1 + c / (lambda * lambda)).squareRoot()
            if !r.isFinite { break }
            residual = r
            if residual < tol { converged = true; break }
            step += 1
            var keep = [true, true, hasP]
            // Orthonormalise [x, r, p] (twice); images follow by linearity.
            for j in 1..<3 where keep[j] {
                let before = cblas_dnrm2(n, V[j], 1)
                for _ in 0..<2 {
                    for i in 0..<j where keep[i] {
                        let d = cblas_ddot(n, V[i], 1, V[j], 1)
                        cblas_daxpy(n, -d, V[i], 1, V[j], 1)
                        if j == 2 {
                            cblas_daxpy(n, -d, AV[i], 1, AV[j], 1)
                            cblas_daxpy(n, -d, KV[i], 1, KV[j], 1)
                        }
                    }
                }
                let norm = cblas_dnrm2(n, V[j], 1)
                if norm == 0 || norm <= 1e-12 * before { keep[j] = false; continue }
                cblas_dscal(n, 1 / norm, V[j], 1)
                if j == 2 {
                    cblas_dscal(n, 1 / norm, AV[j], 1)
                    cblas_dscal(n, 1 / norm, KV[j], 1)
                }
            }
            if keep[1] { applyReduced(V[1], AV[1], KV[1], s) }
            let idx = (0..<3).filter { keep[$0] }
            let m = idx.count
            if m == 1 { break }
            // Projections A1 = Vᵀ Mn V, G = Vᵀ K V.
            var a1 = [Double](repeating: 0, count: m * m), g = [Double](repeating: 0, count: m * m)
            for (p, i) in idx.enumerated() {
                for (q, j) in idx.enumerated() where q >= p {
                    let av = 0.5 * (cblas_ddot(n, V[i], 1, AV[j], 1) + cblas_ddot(n, V[j], 1, AV[i], 1))
                    let kv = 0.5 * (cblas_ddot(n, V[i], 1, KV[j], 1) + cblas_ddot(n, V[j], 1, KV[i], 1))
                    a1[p * m + q] = av; a1[q * m + p] = av
                    g[p * m + q] = kv; g[q * m + p] = kv
                }
            }
            // Orthonormal basis of Bn V: G = Q Λ Qᵀ, keep Λ > 0; the projected M is
            // [[A1, Q₊ Λ₊^{1/2}], [Λ₊^{1/2} Q₊ᵀ, 0]].
            guard let ge = BLAS.smallestEigenpairs(g, n: m, count: m) else { break }
            let largest = ge.values.map(abs).max() ?? 0
            let kept = (0..<m).filter { ge.values[$0] > 1e-13 * max(largest, 1e-300) }
            let dim = m + kept.count
            var h = [Double](repeating: 0, count: dim * dim)
            for p in 0..<m { for q in 0..<m { h[p * dim + q] = a1[p * m + q] } }
            for (col, e) in kept.enumerated() {
                let root = ge.values[e].squareRoot()
                for p in 0..<m {
                    let value = ge.vectors[e][p] * root
                    h[p * dim + m + col] = value; h[(m + col) * dim + p] = value
                }
            }
            guard let ritz = BLAS.smallestEigenpairs(h, n: dim) else { break }
            let coef = Array(ritz.vectors[0].prefix(m))
            // p = Σ_{i>0} c_i V_i; x = c_0 x + p (images alike).
            for (buffer, source) in [(t[0], V), (t[1], AV), (t[2], KV)] {
                let out = buffer.p.baseAddress!
                for i in 0..<size { out[i] = 0 }
                for (q, i) in idx.enumerated() where q > 0 { cblas_daxpy(n, coef[q], source[i], 1, out, 1) }
                cblas_dscal(n, coef[0], source[0], 1)
                cblas_daxpy(n, 1, out, 1, source[0], 1)
                cblas_dcopy(n, out, 1, source[2], 1)
            }
            hasP = true
            // Only the signs are used: stop once none has changed for `stableSteps` steps.
            var flips = 0
            for i in 0..<size where (V[0][i] < 0) != (lastSign[i] < 0) { flips += 1; lastSign[i] = V[0][i] }
            stable = flips == 0 ? stable + 1 : 0
            if stable >= MMSR.stableSignSteps { converged = true; break }
            let norm = cblas_dnrm2(n, V[0], 1)
            for v in [V[0], AV[0], KV[0]] { cblas_dscal(n, 1 / norm, v, 1) }
            if step % 64 == 0 { applyReduced(V[0], AV[0], KV[0], s) }
        }
        let x = Array(UnsafeBufferPointer(start: V[0], count: size))
        withExtendedLifetime((bufs, t, scratch, best)) {}
        return (x, lambda, residual, converged)
    }
}
