/// numpy's sum of a contiguous float64 array (`np.sum`, `ndarray.sum()`): pairwise summation
/// with eight accumulators over blocks of at most 128 values, so that sums come out as numpy's
/// to the last bit (a sum of nothing, or of negative zeros only, is −0.0, as numpy's). Used by
/// MACE's crowd-kit mode and the pairwise methods.
func numpySum(_ a: UnsafeBufferPointer<Double>) -> Double {
    let n = a.count
    if n < 8 {
        var s = -0.0
        for x in a { s += x }
        return s
    }
    if n <= 128 {
        var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
        var i = 8
        while i < n - n % 8 {
            r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
            r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
            i += 8
        }
        var s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n { s += a[i]; i += 1 }
        return s
    }
    var half = n / 2
    half -= half % 8
    return numpySum(UnsafeBufferPointer(rebasing: a[0..<half])) + numpySum(UnsafeBufferPointer(rebasing: a[half...]))
}

/// ``numpySum(_:)`` of an array.
func numpySum(_ a: [Double]) -> Double { a.withUnsafeBufferPointer { numpySum($0) } }
