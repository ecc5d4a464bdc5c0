import Foundation
import TallyCore

/// Charts of methods on answers other than categorical labels: one per answer type, each with
/// the type's own metric (MAE for numbers, rank correlation for comparisons, WER for text, F1
/// for label sets).
enum KindCharts {
    /// What a chart of `type` plots: the metric's field, its axis title, and whether lower is better.
    static func metric(_ type: AnswerType) -> (field: String, title: String, lowerIsBetter: Bool) {
        switch type {
        case .categorical: return ("accuracy", "accuracy on gold tasks", false)
        case .numeric: return ("mae", "MAE against gold values (lower is better)", true)
        case .pairwise: return ("score", "Kendall's τ of the ranking against gold scores (or agreement with gold comparisons)", false)
        case .text: return ("wer", "word error rate against gold texts (lower is better)", true)
        case .multiLabel: return ("f1", "micro F1 of label sets", false)
        }
    }

    /// The primary metric of the `type` rows per method and data set: the dot plot of
    /// ``BenchCharts/bestPerDataset(_:x:field:tooltip:title:description:extraLayers:)``, as the
    /// accuracy chart of categorical results.
    static func bench(_ rows: [Bench.Row], type: AnswerType) -> VegaLite {
        let (field, axis, _) = metric(type)
        let values: [JSONValue] = rows.filter { $0.kind == type }.map { r in
            [
                "dataset": .string(r.dataset), "method": .string(r.method), field: .rounded(r.primaryScore, decimals: 4),
                "metric": .string(r.primaryName), "rmse": .rounded(r.rmse, decimals: 4), "spearman": .rounded(r.spearmanRho, decimals: 4),
                "goldTasks": .number(Double(r.goldTasks)), "best": .bool(r.best),
            ]
        }
        let x = VegaLite.FieldDef.quantitative(field, title: axis, scale: VegaLite.Scale(zero: false))
        var tooltip: [VegaLite.FieldDef] = [.nominal("dataset", title: "data set"), .nominal("method"), .nominal("metric"), .quantitative(field, format: ".4f")]
        if type == .numeric { tooltip.append(.quantitative("rmse", title: "RMSE", format: ".4f")) }
        if type == .pairwise { tooltip.append(.quantitative("spearman", title: "Spearman's ρ", format: ".4f")) }
        tooltip += [.quantitative("goldTasks", title: "gold entries scored"), .nominal("best")]
        return BenchCharts.bestPerDataset(
            values, x: x, field: field, tooltip: tooltip,
            title: .init("\(title(type)) per method and data set", subtitle: "Ringed: best on the data set."),
            description: "The \(type.rawValue) data sets of a tally bench run: \(axis) of each method.")
    }

    /// A chart's heading word for `type`: `MAE`, `Rank correlation`, `WER`, `F1`, `Accuracy`.
    static func title(_ type: AnswerType) -> String {
        switch type {
        case .categorical: return "Accuracy"
        case .numeric: return "MAE"
        case .pairwise: return "Rank correlation"
        case .text: return "WER"
        case .multiLabel: return "F1"
        }
    }

    /// One simulated run's methods: a bar per method of the metric `field` (titled `axis`).
    static func methods(_ scores: [(method: String, value: Double?)], type: AnswerType, scenario: String) -> VegaLite {
        let (field, axis, _) = metric(type)
        let values: [JSONValue] = scores.map { ["method": .string($0.method), field: .rounded($0.value, decimals: 4)] }
        return VegaLite.rowChart(
            .init("\(title(type)) per method", subtitle: "Simulated \(type.rawValue) answers of \(scenario), scored against the simulation's truth."),
            description: "\(axis) of each method that takes \(type.rawValue) answers (tally simulate).",
            width: 420, step: 22, values: values,
            mark: .init("bar", tooltip: true),
            encoding: .init(x: .quantitative(field, title: axis), y: .nominal("method", sort: "-x"), color: .nominal("method")))
    }
}
