import Foundation
import TallyCore

/// "Accuracy versus cost" for simulator studies: one line per value of a chosen parameter
/// through (cost, accuracy) points, with every column of the table in the tooltip.
///
/// Generic over the table: any numeric `x` and `y` columns and any `series` column work (e.g.
/// x = money spent, y = accuracy, series = overlap or aggregation method).
struct CostCurveChart: Sendable {
    /// The x column (cost by default).
    var x: String
    /// The y column (accuracy by default).
    var y: String
    /// The column whose values make separate coloured lines; `nil` for a single line.
    var series: String?
    /// The chart's title.
    var title: String
    /// The x axis title; the column name when `nil`.
    var xTitle: String?
    /// The y axis title; the column name when `nil`.
    var yTitle: String?
    /// Put x on a log scale (e.g. a cost that grows geometrically across runs).
    var logX: Bool

    /// A chart of `y` against `x`, one line per value of `series`.
    init(
        x: String = "cost", y: String = "accuracy", series: String? = nil, title: String = "Accuracy versus cost",
        xTitle: String? = nil, yTitle: String? = nil, logX: Bool = false
    ) {
        self.x = x
        self.y = y
        self.series = series
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.logX = logX
    }

    /// The spec for `table`, with its rows inline in table order; throws if a named column is
    /// missing or `x`/`y` are not numeric.
    ///
    /// A numeric series is coloured as ordinal (a sequential scheme, in numeric order), any other
    /// as nominal. Lines are drawn through the points in x order, a point at each.
    func spec(_ table: ChartTable) throws -> VegaLite {
        try table.require([x, y] + (series.map { [$0] } ?? []))
        for c in [x, y] where !table.isNumeric(c) {
            throw ChartTable.Error(message: "column '\(c)' must hold numbers to be an axis of '\(title)'")
        }
        let tooltip: [VegaLite.FieldDef] = table.columns.map { c in
            table.isNumeric(c) ? .quantitative(c) : .nominal(c)
        }
        var encoding = VegaLite.Encoding(
            x: .quantitative(x, title: xTitle ?? x, scale: logX ? .log : VegaLite.Scale(zero: false)),
            y: .quantitative(y, title: yTitle ?? y, scale: VegaLite.Scale(zero: false)),
            order: .quantitative(x),
            tooltip: tooltip)
        if let series {
            encoding.color = table.isNumeric(series) ? .ordinal(series, sort: "ascending") : .nominal(series)
        }
        return VegaLite(
            schema: VegaLite.schemaURL,
            title: .init(title, subtitle: series.map { "One line per \($0)." }),
            width: 480, height: 300,
            data: .init(values: table.records),
            transform: [VegaLite.filter("isValid(datum[\(Self.quoted(x))]) && isValid(datum[\(Self.quoted(y))])")],
            mark: .init("line", point: true),
            encoding: encoding)
    }

    /// A column name as a Vega expression string literal.
    static func quoted(_ name: String) -> String {
        JSONValue.string(name).serialized()
    }
}
