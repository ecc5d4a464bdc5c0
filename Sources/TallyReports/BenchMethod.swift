import TallyAggregation
import TallyCore

/// An aggregation method as the benchmark runs it: a name, and how to fit it on one data set.
public struct BenchMethod: Sendable {
    public let name: String
    /// Runs only on data sets with two labels (others get no row, and are not reported as failures).
    public var binaryOnly = false
    /// Fits the method; `gold` is the data set's gold (used only by methods that need a golden set).
    let fit: @Sendable (AnswerTable, GoldLabels) throws -> (labels: [Int32], iterations: Int?)

    init(name: String, binaryOnly: Bool = false, fit: @escaping @Sendable (AnswerTable, GoldLabels) throws -> (labels: [Int32], iterations: Int?)) {
        self.name = name
        self.binaryOnly = binaryOnly
        self.fit = fit
    }

    /// Every method Tally has, by its CLI name.
    public static let all: [BenchMethod] = [
        BenchMethod(name: "mv") { t, _ in (try MajorityVote().fit(t).labels, nil) },
        BenchMethod(name: "wawa") { t, _ in (try Wawa().fit(t).labels, nil) },
        BenchMethod(name: "zbs") { t, _ in (try ZeroBasedSkill().fit(t).labels, 100) },
        BenchMethod(name: "ds") { t, _ in
            let m = try DawidSkene().fit(t)
            return (m.labels, m.iterations)
        },
        BenchMethod(name: "onecoin-ds") { t, _ in
            let m = try OneCoinDawidSkene().fit(t)
            return (m.labels, m.iterations)
        },
        BenchMethod(name: "kos", binaryOnly: true) { t, _ in (try KOS().fit(t).labels, 100) },
        BenchMethod(name: "mace") { t, _ in (try MACE().fit(t).labels, 50) },
        BenchMethod(name: "mmsr") { t, _ in
            let m = try MMSR().fit(t)
            return (m.labels, m.iterationsRun)
        },
        BenchMethod(name: "glad") { t, _ in
            let m = try GLAD().fit(t)
            return (m.labels, m.iterations)
        },
    ]

    /// Methods by name (`all` for every one).
    public static func named(_ list: String) throws -> [BenchMethod] {
        if list == "all" { return all }
        return try list.split(separator: ",").map { name in
            guard let m = all.first(where: { $0.name == name }) else {
                throw AggregationError("unknown method '\(name)'; choose from \(all.map(\.name).joined(separator: ", ")) or all")
            }
            return m
        }
    }
}
