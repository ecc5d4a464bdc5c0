import Foundation
import Testing
import TallyAggregation
import TallyCore

/// Dawid-Skene and one-coin Dawid-Skene against crowd-kit 1.4.2 (pandas 2.3.3 stack) on every
/// categorical dataset and the toy set: with defaults and with 20 iterations; on `vldb-product`
/// also with golden tasks clamped and with both initial-error strategies.
///
/// Fixtures: `scripts/crowdkit_fixtures_ds.py` → `Fixtures/crowdkit-ds`. Tolerances: labels and
/// iteration counts identical; probabilities, priors, confusion matrices and one-coin skills
/// within 1e-6; the loss history within 1e-9.
@Suite("crowd-kit parity: Dawid-Skene")
struct DawidSkeneParityTests {
    static let dir = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit-ds")

    struct Row: Sendable, CustomStringConvertible {
        let dataset: String, config: String, status: String, iterations: Int, message: String
        var description: String { "\(dataset)/\(config)" }
    }

    static let rows: [Row] = {
        let text = (try? String(contentsOf: dir.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return TestData.rows(text).filter { !$0[0].hasPrefix("#") && $0[0] != "dataset" }.map {
            Row(dataset: $0[0], config: $0[1], status: $0[2], iterations: Int($0[5]) ?? -1, message: $0.count > 8 ? $0[8] : "")
        }
    }()

    static let datasets: [String] = {
        var seen: [String] = []
        for r in rows where !seen.contains(r.dataset) { seen.append(r.dataset) }
        return seen
    }()

    @Test("the fixtures cover 23 datasets and the toy set, four configurations each")
    func coverage() {
        #expect(Self.datasets.count == 24)
        for d in Self.datasets {
            let configs = Set(Self.rows.filter { $0.dataset == d }.map(\.config))
            #expect(configs.isSuperset(of: ["ds", "ds20", "onecoin", "onecoin20"]), "\(d)")
        }
        #expect(Self.rows.contains { $0.dataset == "vldb-product" && $0.config == "ds-gold-half" })
    }

    @Test("DS and one-coin DS match crowd-kit", arguments: datasets)
    func parity(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        for row in Self.rows where row.dataset == dataset {
            try #require(row.status == "ok", "\(row): fixture status \(row.status) \(row.message)")
            let model: DawidSkeneModel
            switch row.config {
            case "ds": model = try DawidSkene().fit(table)
            case "ds20": model = try DawidSkene(maxIterations: 20).fit(table)
            case "onecoin": model = try OneCoinDawidSkene().fit(table)
            case "onecoin20": model = try OneCoinDawidSkene(maxIterations: 20).fit(table)
            case "ds-gold-half":
                let gold = try GoldReader.read(TestData.goldPath(dataset))
                let half = try GoldLabels(Array(gold.entries.prefix(gold.count / 2)))
                model = try DawidSkene(trueLabels: half).fit(table)
            case "ds-addition", "ds-assign":
                let strategy: InitialConfusions.Strategy = row.config == "ds-addition" ? .addition : .assign
                let path = try Self.unpack(Self.dir.appendingPathComponent("\(dataset)/\(row.config).initial_error.tsv.gz"))
                defer { try? FileManager.default.removeItem(atPath: path) }
                model = try DawidSkene(initialConfusions: InitialConfusions.read(path, strategy: strategy)).fit(table)
            default:
                Issue.record("unknown configuration \(row.config)")
                continue
            }
            try compare(model, table, row)
        }
    }

    private func compare(_ model: DawidSkeneModel, _ table: AnswerTable, _ row: Row) throws {
        // A 20-iteration run identical to the full one shares its files ("files: same as ds").
        let fileConfig = row.message.range(of: "files: same as ").map { String(row.message[$0.upperBound...]) } ?? row.config
        let base = Self.dir.appendingPathComponent("\(row.dataset)/\(fileConfig)")
        func rows(_ suffix: String) throws -> [[String]] {
            TestData.rows(try TestData.gunzip(URL(fileURLWithPath: base.path + suffix)))
        }
        var report: [String] = []
        func check(_ what: String, _ ours: Double, _ theirs: String, _ tol: Double, _ bad: inout Int, _ worst: inout Double) {
            let d = abs(ours - (Double(theirs) ?? .nan))
            if !(d <= tol) { bad += 1 }
            if d.isFinite { worst = max(worst, d) }
        }

        #expect(model.iterations == row.iterations, "\(row): \(model.iterations) iterations, crowd-kit \(row.iterations)")

        let probas = try rows(".probas.tsv.gz")
        // crowd-kit's labels: its labels file where kept (toy, vldb-product), else the first
        // argmax of its probabilities, which is how crowd-kit makes labels_ (no ties here).
        var expectedLabels: [(task: String, label: String)] = []
        if FileManager.default.fileExists(atPath: base.path + ".labels.tsv.gz") {
            expectedLabels = try rows(".labels.tsv.gz").dropFirst().map { ($0[0], $0[1]) }
        } else {
            for r in probas.dropFirst() {
                let values = r.dropFirst().map { Double($0) ?? -.infinity }
                let best = values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) }!
                expectedLabels.append((r[0], probas[0][best + 1]))
            }
        }
        var labelMismatches = 0
        for (task, label) in expectedLabels {
            let t = Int(try #require(table.tasks.lookup(task)))
            if table.labels[Int(model.labels[t])] != label { labelMismatches += 1 }
        }
        #expect(expectedLabels.count == table.taskCount && labelMismatches == 0, "\(row): \(labelMismatches) labels differ")

        let columns = try probas[0].dropFirst().map { try #require(table.labels.index(of: $0)) }
        var bad = 0, worst = 0.0
        for r in probas.dropFirst() {
            let t = Int(try #require(table.tasks.lookup(r[0])))
            for (j, c) in columns.enumerated() { check("p", model.probabilities[t, c], r[j + 1], 1e-6, &bad, &worst) }
        }
        if bad > 0 { report.append("\(bad) probabilities off (max \(worst))") }

        bad = 0; worst = 0
        for r in try rows(".priors.tsv.gz").dropFirst() {
            check("prior", model.priors[try #require(table.labels.index(of: r[0]))], r[1], 1e-6, &bad, &worst)
        }
        if bad > 0 { report.append("\(bad) priors off (max \(worst))") }

        let errors = try rows(".errors.tsv.gz")
        let truth = try errors[0].dropFirst(2).map { try #require(table.labels.index(of: $0)) }
        bad = 0; worst = 0
        var errorRows = 0
        for r in errors.dropFirst() {
            let w = Int(try #require(table.workers.lookup(r[0])))
            let y = try #require(table.labels.index(of: r[1]))
            errorRows += 1
            if !model.confusions.isObserved(worker: w, answer: y) { bad += 1; continue }
            for (j, c) in truth.enumerated() { check("e", model.confusions[w, y, c], r[j + 2], 1e-6, &bad, &worst) }
        }
        let observedRows = model.confusions.observed.filter { $0 }.count
        if errorRows != observedRows && !row.config.hasPrefix("ds-a") { report.append("\(errorRows) confusion rows, ours \(observedRows)") }
        if bad > 0 { report.append("\(bad) confusion entries off (max \(worst))") }

        let loss = try rows(".loss.tsv.gz").dropFirst()
        bad = 0; worst = 0
        for r in loss {
            let i = Int(r[0])! - 1
            if i < model.lossHistory.count { check("loss", model.lossHistory[i], r[1], 1e-9, &bad, &worst) } else { bad += 1 }
        }
        if bad > 0 { report.append("\(bad) losses off (max \(worst))") }

        if row.config.hasPrefix("onecoin") {
            let skills = try #require(model.skills)
            bad = 0; worst = 0
            for r in try rows(".skills.tsv.gz").dropFirst() {
                check("skill", skills[Int(try #require(table.workers.lookup(r[0])))], r[1], 1e-6, &bad, &worst)
            }
            if bad > 0 { report.append("\(bad) skills off (max \(worst))") }
        }
        #expect(report.isEmpty, "\(row): \(report.joined(separator: "; "))")
    }

    /// A gzip fixture written out as a plain temporary file (readers take paths).
    static func unpack(_ url: URL) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-\(UUID().uuidString).tsv").path
        try TestData.gunzip(url).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
