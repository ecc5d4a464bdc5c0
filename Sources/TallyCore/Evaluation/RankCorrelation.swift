/// Rank correlations of two score lists over the same items: Kendall's τ-b and Spearman's ρ
/// (ties get average ranks), as scipy.stats.kendalltau and spearmanr compute them.
///
/// ```swift
/// let r = RankCorrelation([1, 2, 3, 4], [1, 3, 2, 4])
/// r.kendallTau   // 0.6667
/// r.spearmanRho  // 0.8
/// ```
public struct RankCorrelation: Sendable, Equatable {
    /// Items compared.
    public let count: Int
    /// Kendall's τ-b in −1…1 (NaN for fewer than two items or a list that is all ties).
    public let kendallTau: Double
    /// Spearman's ρ: the Pearson correlation of the average ranks (NaN as for τ).
    public let spearmanRho: Double

    /// Correlations of `x` and `y`, paired by position (they must be of equal length). O(n²) for τ.
    public init(_ x: [Double], _ y: [Double]) {
        precondition(x.count == y.count, "RankCorrelation: lists of different lengths")
        let n = x.count
        count = n
        guard n >= 2 else { kendallTau = .nan; spearmanRho = .nan; return }
        var concordant = 0.0, discordant = 0.0, tiesX = 0.0, tiesY = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 && dy == 0 { continue }
                if dx == 0 { tiesX += 1; continue }
                if dy == 0 { tiesY += 1; continue }
                if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let denominator = ((concordant + discordant + tiesX) * (concordant + discordant + tiesY)).squareRoot()
        kendallTau = denominator > 0 ? (concordant - discordant) / denominator : .nan
        spearmanRho = Self.pearson(Self.averageRanks(x), Self.averageRanks(y))
    }

    /// 1-based ranks, ties sharing the mean of their positions.
    static func averageRanks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var ranks = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            let r = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = r }
            i = j + 1
        }
        return ranks
    }

    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices {
            sab += (a[i] - ma) * (b[i] - mb)
            saa += (a[i] - ma) * (a[i] - ma)
            sbb += (b[i] - mb) * (b[i] - mb)
        }
        return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : .nan
    }
}
