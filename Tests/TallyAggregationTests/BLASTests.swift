import Testing
import TallyAggregation

@Suite("OpenBLAS and LAPACKE are linked and answer correctly")
struct BLASTests {
    @Test func dot() {
        #expect(BLAS.dot([1, 2, 3], [4, 5, 6]) == 32)
    }

    @Test func solve() throws {
        // 2x + y = 5, x + 3y = 10  →  x = 1, y = 3
        let x = try #require(BLAS.solve([2, 1, 1, 3], [5, 10], n: 2))
        #expect(abs(x[0] - 1) < 1e-12 && abs(x[1] - 3) < 1e-12)
        #expect(BLAS.solve([1, 2, 2, 4], [1, 2], n: 2) == nil)
    }

    @Test func multiply() {
        // [1 2; 3 4] · [5; 6] = [17; 39]
        #expect(BLAS.multiply([1, 2, 3, 4], [5, 6], m: 2, k: 2, n: 1) == [17, 39])
    }

    @Test func coreName() {
        #expect(!BLAS.coreName.isEmpty && BLAS.coreName != "unknown")
    }
}

@Suite("LAPACKE symmetric eigen-solver")
struct BLASEigenTests {
    @Test func smallestOfTwoByTwo() throws {
        // [2 1; 1 2]: eigenvalues 1 (vector ±(1, −1)/√2) and 3.
        let r = try #require(BLAS.smallestEigenpairs([2, 1, 1, 2], n: 2))
        #expect(abs(r.values[0] - 1) < 1e-12)
        #expect(abs(abs(r.vectors[0][0]) - 0.5.squareRoot()) < 1e-12 && abs(r.vectors[0][0] + r.vectors[0][1]) < 1e-12)
    }

    @Test func twoSmallestOfDiagonal() throws {
        let r = try #require(BLAS.smallestEigenpairs([5, 0, 0, 0, -1, 0, 0, 0, 3], n: 3, count: 2))
        #expect(abs(r.values[0] + 1) < 1e-12 && abs(r.values[1] - 3) < 1e-12)
        #expect(abs(abs(r.vectors[0][1]) - 1) < 1e-12 && abs(abs(r.vectors[1][2]) - 1) < 1e-12)
    }
}
