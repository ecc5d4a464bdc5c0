import Foundation
import TallyCore

/// A small table of named columns, the input of generic chart builders such as
/// ``CostCurveChart``: each row holds one value per column (a number, a string, a Boolean or
/// `null`).
package struct ChartTable: Sendable, Equatable {
    /// The column names, unique.
    package var columns: [String]
    /// The rows, each with one value per column.
    package var rows: [[JSONValue]]

    /// A problem with a table given to a chart builder.
    package struct Error: LocatedError, Equatable {
        /// What is wrong, for a person.
        package let message: String
        /// Always nil: the ``description`` is the ``message``.
        package var location: String? { nil }
    }

    /// A table; every row must have one value per column.
    package init(columns: [String], rows: [[JSONValue]]) throws {
        guard Set(columns).count == columns.count else {
            throw Error(message: "duplicate column names in \(columns)")
        }
        for (i, r) in rows.enumerated() where r.count != columns.count {
            throw Error(message: "row \(i + 1) has \(r.count) values, expected \(columns.count) (\(columns.joined(separator: ", ")))")
        }
        self.columns = columns
        self.rows = rows
    }

    /// The rows as JSON objects keyed by column name (Vega-Lite's inline `data.values`).
    var records: [JSONValue] {
        rows.map { r in .object(Dictionary(uniqueKeysWithValues: zip(columns, r))) }
    }

    /// Whether every non-null value in `column` is a number (and there is at least one).
    func isNumeric(_ column: String) -> Bool {
        guard let i = columns.firstIndex(of: column) else { return false }
        var any = false
        for r in rows {
            switch r[i] {
            case .int, .double: any = true
            case .null: continue
            default: return false
            }
        }
        return any
    }

    /// Throws unless every name is a column.
    func require(_ names: [String]) throws {
        for n in names where !columns.contains(n) {
            throw Error(message: "no column '\(n)'; the table has \(columns.map { "'\($0)'" }.joined(separator: ", "))")
        }
    }
}
