import Foundation
import TallyAggregation
import TallyCore

/// Runs aggregation methods over a folder of data sets and scores them against gold.
///
/// A data set is a folder holding `answers.tsv` (`task, worker, label`) + `gold.tsv` (`task, label`),
/// each possibly gzip-compressed (`answers.tsv.gz`),
/// or crowd-kit's `crowd_labels.csv` + `gt.csv`. A folder whose files cannot be read is reported
/// and skipped; the others still run.
public struct Bench: Sendable {
    /// One method on one data set.
    public struct Row: Sendable, Codable, Equatable {
        /// The data set's folder name.
        public let dataset: String
        /// The method's name, as given to `--methods`.
        public let method: String
        /// Answers in the data set.
        public let answers: Int
        /// Distinct tasks in the data set.
        public let tasks: Int
        /// Gold tasks that were scored (those with answers).
        public let goldTasks: Int
        /// Share of scored gold tasks labelled correctly, 0–1.
        public let accuracy: Double
        /// The unweighted mean F1 over classes.
        public let macroF1: Double
        /// Iterations the fit ran, for iterative methods; `nil` for the others.
        public let iterations: Int?
        /// Median fit time over the repeats, seconds.
        public let seconds: Double
        /// The process's peak resident set size after this fit, MB (a high-water mark over the
        /// whole run, so it bounds the method's own peak from above).
        public let peakRSSMB: Double
        /// The best accuracy on this data set among the methods run.
        public var best: Bool
        /// A published accuracy for this method and data set, if one is known.
        public var published: Double?
    }

    /// A data set folder that could not be used, and why.
    public struct Skipped: Sendable, Codable, Equatable {
        /// The data set's folder name (`dataset/method` when one method failed on it).
        public let dataset: String
        /// Why it could not be used: the reader's error, too many labels, or the method's error.
        public let reason: String
    }

    /// The methods run on each data set, in order.
    public let methods: [BenchMethod]
    /// Fits per method and data set (at least 1); ``Row/seconds`` is their median.
    public let repeats: Int
    /// Data sets with more distinct labels are taken as numeric (e.g. `vldb-emotion`'s scores
    /// from −100 to 100) and skipped: these are categorical methods.
    public let maxLabels: Int

    /// A benchmark of `methods`, each fitted `repeats` times (at least once) per data set; data sets
    /// with more than `maxLabels` labels are skipped.
    public init(methods: [BenchMethod], repeats: Int = 1, maxLabels: Int = 50) {
        self.methods = methods
        self.repeats = max(1, repeats)
        self.maxLabels = maxLabels
    }

    /// The data set folders under `directory`, sorted by name.
    public static func datasets(in directory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        return names.filter { name in
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
            return ["answers.tsv", "crowd_labels.csv"].contains { existing(path, $0) != nil }
        }
    }

    /// `folder/name`, or `folder/name.gz` when only the compressed file is there (readers open
    /// both), or `nil`.
    static func existing(_ folder: String, _ name: String) -> String? {
        for candidate in [name, name + ".gz"] where FileManager.default.fileExists(atPath: folder + "/" + candidate) {
            return folder + "/" + candidate
        }
        return nil
    }

    /// Runs every method on every data set; `progress` gets a line per step.
    public func run(directory: String, published: [String: Double] = [:], progress: (String) -> Void = { _ in }) -> (rows: [Row], skipped: [Skipped]) {
        var rows: [Row] = []
        var skipped: [Skipped] = []
        let names: [String]
        do { names = try Self.datasets(in: directory) } catch {
            return ([], [Skipped(dataset: directory, reason: "cannot list the folder: \(error)")])
        }
        for name in names {
            let folder = directory + "/" + name
            let table: AnswerTable
            let gold: GoldLabels
            do {
                let crowdKit = Self.existing(folder, "crowd_labels.csv") != nil
                let (answersName, goldName) = crowdKit ? ("crowd_labels.csv", "gt.csv") : ("answers.tsv", "gold.tsv")
                table = try AnswerReader.read(Self.existing(folder, answersName) ?? folder + "/" + answersName).table
                gold = try GoldReader.read(Self.existing(folder, goldName) ?? folder + "/" + goldName)
            } catch {
                skipped.append(Skipped(dataset: name, reason: "\(error)"))
                progress("\(name): skipped (\(error))")
                continue
            }
            if table.labelCount > maxLabels {
                let reason = "\(table.labelCount) distinct labels: numeric answers, not a categorical data set"
                skipped.append(Skipped(dataset: name, reason: reason))
                progress("\(name): skipped (\(reason))")
                continue
            }
            let scorable = gold.aligned(to: table).goldTasks
            if scorable == 0 {
                let reason = "no gold task has an answer (\(gold.count) gold labels, none for the \(table.taskCount) tasks answered)"
                skipped.append(Skipped(dataset: name, reason: reason))
                progress("\(name): skipped (\(reason))")
                continue
            }
            var datasetRows: [Row] = []
            for method in methods where !(method.binaryOnly && table.labelCount != 2) {
                progress("\(name): \(method.name)")
                do {
                    var times: [Double] = []
                    var result: (labels: [Int32], iterations: Int?) = ([], nil)
                    for _ in 0..<repeats {
                        let start = ContinuousClock.now
                        result = try method.fit(table, gold)
                        let d = ContinuousClock.now - start
                        times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
                    }
                    times.sort()
                    let e = Evaluation(labels: result.labels, of: table, gold: gold)
                    datasetRows.append(Row(
                        dataset: name, method: method.name, answers: table.answerCount, tasks: table.taskCount,
                        goldTasks: e.scored, accuracy: e.accuracy, macroF1: e.macroF1, iterations: result.iterations,
                        seconds: times[times.count / 2], peakRSSMB: Self.peakRSSMB(), best: false,
                        published: published["\(name)\t\(method.name)"]))
                } catch {
                    skipped.append(Skipped(dataset: "\(name)/\(method.name)", reason: "\(error)"))
                    progress("\(name): \(method.name) failed (\(error))")
                }
            }
            if let top = datasetRows.map(\.accuracy).filter({ !$0.isNaN }).max() {
                for i in datasetRows.indices where datasetRows[i].accuracy == top { datasetRows[i].best = true }
            }
            rows += datasetRows
        }
        return (rows, skipped)
    }

    /// Published accuracies from a `dataset, method, accuracy` TSV, keyed by data set and method
    /// joined with a tab (`"dataset\tmethod"`).
    /// - Throws: `InputError` for a missing column or an accuracy that is not a number.
    public static func published(_ path: String) throws -> [String: Double] {
        let table = try TableReader.read(path, required: ["dataset", "method", "accuracy"])
        var out: [String: Double] = [:]
        let d = table.column("dataset")!, m = table.column("method")!, a = table.column("accuracy")!
        for (n, r) in table.rows.enumerated() {
            guard let v = Double(r[a]) else {
                throw InputError(.invalidValue, file: table.file, line: table.lines[n], field: "accuracy", "'\(r[a])' is not a number")
            }
            out["\(r[d])\t\(r[m])"] = v
        }
        return out
    }

    static func peakRSSMB() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // KiB on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576  // bytes on macOS
        #endif
    }
}
