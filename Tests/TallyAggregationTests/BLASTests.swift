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
