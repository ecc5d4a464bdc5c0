import CTallyBLAS

/// Thin wrappers over OpenBLAS and LAPACKE (through `CTallyBLAS`).
///
/// Dense kernels call these instead of the C API directly, so that the C types (`lapack_int` is a
/// macro Swift cannot see; it is `Int32` on this LP64 build) stay in one place. Package access:
/// the benchmarks and tests use it, users of the library do not need it.
package enum BLAS {
    /// The CPU kernel OpenBLAS chose (e.g. `Haswell`); benchmarks print it in their header.
    package static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// OpenBLAS's own thread count.
    package static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets OpenBLAS's thread count (use 1 when the caller parallelises itself).
    package static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// `xᵀy`.
    package static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        return cblas_ddot(Int32(x.count), x, 1, y, 1)
    }

    /// `C = A · B` for row-major `a` (m×k), `b` (k×n); returns `c` (m×n) (`cblas_dgemm`).
    package static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        precondition(a.count == m * k && b.count == k * n)
        var c = [Double](repeating: 0, count: m * n)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        return c
    }

    /// Solves `A X = B` for a row-major n×n `a` and n×nrhs `b` (LAPACKE `dgesv`); `nil` when `A`
    /// is singular.
    package static func solve(_ a: [Double], _ b: [Double], n: Int, nrhs: Int = 1) -> [Double]? {
        precondition(a.count == n * n && b.count == n * nrhs)
        var a = a, b = b
        var pivots = [Int32](repeating: 0, count: n)
        let info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(n), Int32(nrhs), &a, Int32(n), &pivots, &b, Int32(nrhs))
        return info == 0 ? b : nil
    }
}

extension BLAS {
    /// The `count` smallest eigenvalues (ascending) of a symmetric row-major n×n `a`, with their
    /// eigenvectors as the rows of `vectors` (LAPACKE `dsyevr`, lower triangle read); `nil` when
    /// LAPACK reports a failure.
    package static func smallestEigenpairs(_ a: [Double], n: Int, count: Int = 1) -> (values: [Double], vectors: [[Double]])? {
        precondition(a.count == n * n && count >= 1 && count <= n)
        var a = a
        var found: Int32 = 0
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * count)
        var support = [Int32](repeating: 0, count: 2 * count)
        let info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "I")), CChar(UInt8(ascii: "L")), Int32(n), &a, Int32(n), 0, 0, 1, Int32(count), 0, &found, &w, &z, Int32(count), &support)
        guard info == 0, Int(found) == count else { return nil }
        // Row-major z is n × count: eigenvector c is column c.
        let vectors = (0..<count).map { c in (0..<n).map { z[$0 * count + c] } }
        return (Array(w.prefix(count)), vectors)
    }
}
