import TallyCore

/// Pairwise comparisons as crowd-kit's pairwise methods number them: items in sorted order
/// (`np.unique`, ``PairwiseAnswers/sortedItems``), workers likewise, and the win counts as a
/// sparse symmetric graph.
struct PairwiseGraph {
    /// The item id (of the ``PairwiseAnswers``) at each sorted position.
    let itemAt: [Int32]
    /// The sorted position of each item id.
    let positionOf: [Int32]
    /// Wins per sorted position.
    let wins: [Double]
    /// Column `j` holds `neighbours[offsets[j] ..< offsets[j + 1]]` (ascending) with the number
    /// of comparisons between `j` and each in `counts`.
    let offsets: [Int]
    let neighbours: [Int32]
    let counts: [Double]

    var itemCount: Int { itemAt.count }

    init(_ answers: PairwiseAnswers) {
        let sorted = answers.sortedItems
        let n = sorted.count
        var itemAt = [Int32](repeating: 0, count: n)
        var positionOf = [Int32](repeating: 0, count: n)
        for (pos, name) in sorted.names.enumerated() {
            let id = answers.items.lookup(name)!
            itemAt[pos] = id
            positionOf[Int(id)] = Int32(pos)
        }
        var wins = [Double](repeating: 0, count: n)
        // Directed entries (column, row) for both orientations, grouped by column (counting sort).
        let m = answers.comparisonCount
        var degree = [Int](repeating: 0, count: n + 1)
        for i in 0..<m {
            let a = Int(positionOf[Int(answers.left[i])]), b = Int(positionOf[Int(answers.right[i])])
            degree[a + 1] += 1
            degree[b + 1] += 1
            wins[Int(positionOf[Int(answers.winner[i])])] += 1
        }
        for j in 0..<n { degree[j + 1] += degree[j] }
        var fill = degree
        var rows = [Int32](repeating: 0, count: 2 * m)
        for i in 0..<m {
            let a = Int(positionOf[Int(answers.left[i])]), b = Int(positionOf[Int(answers.right[i])])
            rows[fill[a]] = Int32(b); fill[a] += 1
            rows[fill[b]] = Int32(a); fill[b] += 1
        }
        // Sort each column's rows and merge repeats into counts.
        var offsets = [0]
        offsets.reserveCapacity(n + 1)
        var neighbours: [Int32] = [], counts: [Double] = []
        neighbours.reserveCapacity(2 * m)
        counts.reserveCapacity(2 * m)
        for j in 0..<n {
            rows[degree[j]..<degree[j + 1]].sort()
            var k = degree[j]
            while k < degree[j + 1] {
                let r = rows[k]
                var c = 0.0
                while k < degree[j + 1] && rows[k] == r { c += 1; k += 1 }
                neighbours.append(r)
                counts.append(c)
            }
            offsets.append(neighbours.count)
        }
        self.itemAt = itemAt
        self.positionOf = positionOf
        self.wins = wins
        self.offsets = offsets
        self.neighbours = neighbours
        self.counts = counts
    }

    /// `values` (by sorted position) as an array by item id.
    func byItemId(_ values: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        for (pos, id) in itemAt.enumerated() { out[Int(id)] = values[pos] }
        return out
    }
}
