/// A dense tasks × labels matrix of probabilities, row-major.
public struct ProbabilityMatrix: Sendable, Equatable {
    /// The number of rows (tasks).
    public let rows: Int
    /// The number of columns (labels, in ``LabelSet`` order).
    public let columns: Int
    /// `rows * columns` values; row `r` is `values[r * columns ..< (r + 1) * columns]`.
    public var values: [Double]

    /// A matrix over `values`, row-major; `values.count` must be `rows * columns` (a precondition).
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "values must hold rows × columns numbers")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A `rows × columns` matrix with every entry `value` (0 by default).
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: Array(repeating: value, count: rows * columns))
    }

    /// The entry at `row`, `column` (read and write).
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Row `r` as an array.
    public func row(_ r: Int) -> [Double] { Array(values[r * columns..<(r + 1) * columns]) }

    /// The first column holding the row's maximum (NaNs never win), for every row.
    ///
    /// Ties go to the lowest column, i.e. the label that comes first in ``LabelSet`` order.
    public func argmaxFirst() -> [Int32] {
        var out = [Int32](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { v in
            for r in 0..<rows {
                var best = 0
                var bestValue = -Double.infinity
                for c in 0..<columns {
                    let x = v[r * columns + c]
                    if x > bestValue { bestValue = x; best = c }
                }
                out[r] = Int32(best)
            }
        }
        return out
    }
}
