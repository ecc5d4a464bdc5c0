import Foundation
import TallyCore

/// The charts of a `tally bench` run, as Vega-Lite v5 specs with their data inline.
///
/// Values are rounded as the TSV shows them (accuracy to 4 decimals, time to 3 significant
/// digits), so a spec is short and two runs with the same results give the same bytes.
enum BenchCharts {
    /// Accuracy per method per data set: a dot plot with data sets down the side and one colour
    /// per method; the best method(s) on each data set ringed, a published value (if known) as a
    /// hollow diamond in the method's colour.
    static func accuracy(_ rows: [Bench.Row], title: String = "Accuracy per method and data set") -> VegaLite {
        let values: [JSONValue] = rows.map { r in
            [
                "dataset": .string(r.dataset), "method": .string(r.method),
                "accuracy": .rounded(r.accuracy, decimals: 4), "macroF1": .rounded(r.macroF1, decimals: 4),
                "goldTasks": .number(Double(r.goldTasks)), "best": .bool(r.best),
                "published": .rounded(r.published, decimals: 4),
            ]
        }
        let hasPublished = rows.contains { $0.published != nil }
        let x = VegaLite.FieldDef.quantitative("accuracy", title: "accuracy on gold tasks", scale: VegaLite.Scale(zero: false))
        let tooltip: [VegaLite.FieldDef] = [
            .nominal("dataset", title: "data set"), .nominal("method"),
            .quantitative("accuracy", format: ".4f"), .quantitative("macroF1", title: "macro-F1", format: ".4f"),
            .quantitative("goldTasks", title: "gold tasks"), .nominal("best"),
            .quantitative("published", title: "published accuracy", format: ".3f"),
        ]
        var extra: [VegaLite] = []
        if hasPublished {
            var published = VegaLite.FieldDef.quantitative("published", title: "accuracy on gold tasks", scale: VegaLite.Scale(zero: false))
            published.format = ".3f"
            extra.append(VegaLite(
                transform: [VegaLite.filter("isValid(datum.published)")],
                mark: .init("point", filled: false, size: 110, shape: "diamond", strokeWidth: 2),
                encoding: .init(x: published, color: .nominal("method"), tooltip: tooltip)))
        }
        return bestPerDataset(
            values, x: x, field: "accuracy", tooltip: tooltip,
            title: .init(title, subtitle: "Ringed: best on the data set." + (hasPublished ? " Hollow diamond: published accuracy." : "")),
            description: "Accuracy of each aggregation method on each data set's gold tasks (tally bench).",
            extraLayers: extra)
    }

    /// A score per method and data set as a dot plot: data sets down the side, one colour per
    /// method, rows whose `best` is true ringed, then `extraLayers` on top. `field` is the score
    /// plotted on `x`; rows without one are left out.
    static func bestPerDataset(
        _ values: [JSONValue], x: VegaLite.FieldDef, field: String, tooltip: [VegaLite.FieldDef],
        title: VegaLite.Title, description: String, extraLayers: [VegaLite] = []
    ) -> VegaLite {
        let layers = [
            VegaLite(
                transform: [VegaLite.filter("isValid(datum.\(field))")],
                mark: .init("point", filled: true, size: 70, opacity: 0.85),
                encoding: .init(x: x, color: .nominal("method"), tooltip: tooltip)),
            VegaLite(
                transform: [VegaLite.filter("datum.best")],
                mark: .init("point", filled: false, size: 260, color: "black", strokeWidth: 1.5),
                encoding: .init(x: x, tooltip: tooltip)),
        ]
        return VegaLite.rowChart(
            title, description: description, width: 480, step: 18, values: values,
            encoding: .init(y: .nominal("dataset", title: "data set", sort: "ascending")),
            layer: layers + extraLayers)
    }

    /// Fit time per method per data set on a log scale: a dot plot like ``accuracy(_:title:)``.
    /// Rows with a zero time (below the clock's resolution) cannot go on a log axis and are left
    /// out.
    static func fitTime(_ rows: [Bench.Row], title: String = "Fit time per method and data set") -> VegaLite {
        let values: [JSONValue] = rows.map { r in
            [
                "dataset": .string(r.dataset), "method": .string(r.method),
                "seconds": .rounded(r.seconds, significant: 3), "answers": .number(Double(r.answers)),
                "iterations": r.iterations.map { .number(Double($0)) } ?? .null,
            ]
        }
        return VegaLite.rowChart(
            .init(title, subtitle: "Median over the repeats, seconds, log scale."),
            description: "Time each aggregation method took to fit each data set (tally bench).",
            width: 480, step: 18, values: values,
            transform: [VegaLite.filter("isValid(datum.seconds) && datum.seconds > 0")],
            mark: .init("point", filled: true, size: 70, opacity: 0.85),
            encoding: .init(
                x: .quantitative("seconds", title: "fit time, s (log scale)", scale: .log),
                y: .nominal("dataset", title: "data set", sort: "ascending"),
                color: .nominal("method"),
                tooltip: [
                    .nominal("dataset", title: "data set"), .nominal("method"),
                    .quantitative("seconds", format: ".3g"), .quantitative("answers"), .quantitative("iterations"),
                ]))
    }
}
