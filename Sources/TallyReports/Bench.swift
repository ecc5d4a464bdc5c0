import Foundation
import TallyAggregation
import TallyCore

/// Runs aggregation methods over a folder of data sets and scores them against gold.
///
/// A data set is a folder holding `answers.arrow` or `answers.tsv` (`task, worker, label`) +
/// `gold.tsv` (`task, label`), each TSV possibly gzip-compressed (`answers.tsv.gz`),
/// or crowd-kit's `crowd_labels.csv` + `gt.csv`. A folder whose files cannot be read is reported
/// and skipped; the others still run.
///
/// Answers of any kind: `dataset.json` (`{"answer_type": "numeric"}`) names the kind, else the
/// answers' header tells it (``AnswerReader/detectType(_:)``), and a categorical file with more
/// than ``maxLabels`` labels that are all numbers is read as numeric (`vldb-emotion`). Only the
/// methods that take the kind run, each scored with the kind's metric (``KindScore``) against
/// gold of that kind (``KindGold``); a method named in `--methods` that does not take the kind is
/// reported as skipped.
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
        /// The kind of answers of the data set; `nil` for categorical (so that categorical
        /// results read and write as before kinds were recorded). See ``kind``.
        public var answerType: AnswerType? = nil
        /// Mean absolute error against gold values (numeric data sets).
        public var mae: Double? = nil
        /// Root mean squared error against gold values (numeric data sets).
        public var rmse: Double? = nil
        /// Kendall's τ-b of the item scores against gold scores (pairwise data sets).
        public var kendallTau: Double? = nil
        /// Spearman's ρ of the item scores against gold scores (pairwise data sets).
        public var spearmanRho: Double? = nil
        /// Share of gold comparisons the item scores agree with (pairwise data sets with gold comparisons).
        public var agreement: Double? = nil
        /// Word error rate against gold texts (text data sets).
        public var wer: Double? = nil
        /// Micro precision of label sets (multi-label data sets).
        public var precision: Double? = nil
        /// Micro recall of label sets (multi-label data sets).
        public var recall: Double? = nil
        /// Micro F1 of label sets (multi-label data sets).
        public var f1: Double? = nil
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
    /// Categorical data sets with more distinct labels are taken as numeric when every label is
    /// a number (e.g. `vldb-emotion`'s scores from −100 to 100), and skipped otherwise.
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
            return answersNames.contains { existing(path, $0) != nil }
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
            var categorical: (table: AnswerTable, gold: GoldLabels)?
            var other: (answers: Answers, gold: KindGold)?
            var numbersNote = ""
            do {
                let source = try Self.source(of: folder)
                if source.type == .categorical {
                    let table = try AnswerReader.read(source.answers, as: .categorical).answers.categorical!
                    if table.labelCount > maxLabels && !source.declared && table.labels.names.allSatisfy({ Double($0)?.isFinite == true }) {
                        // A categorical file of numbers (vldb-emotion): numeric answers.
                        numbersNote = "\(table.labelCount) distinct labels, all numbers: "
                        other = (try AnswerReader.read(source.answers, as: .numeric).answers, try KindGold.read(source.gold, as: .numeric))
                    } else {
                        categorical = (table, try GoldReader.read(source.gold))
                    }
                } else {
                    other = (try AnswerReader.read(source.answers, as: source.type).answers, try KindGold.read(source.gold, as: source.type))
                }
            } catch {
                skipped.append(Skipped(dataset: name, reason: "\(error)"))
                progress("\(name): skipped (\(error))")
                continue
            }
            let type = other?.answers.type ?? .categorical
            if !methods.contains(where: { $0.descriptor.accepts(type) }) {
                let reason = "\(numbersNote)\(type.rawValue) answers, and none of the methods (\(methods.map(\.name).joined(separator: ", "))) takes them"
                skipped.append(Skipped(dataset: name, reason: reason))
                progress("\(name): skipped (\(reason))")
                continue
            }
            refuseOtherKinds(name: name, type: type, skipped: &skipped, progress: progress)
            if let other {
                runKind(name: name, answers: other.answers, gold: other.gold, published: published, rows: &rows, skipped: &skipped, progress: progress)
                continue
            }
            guard let (table, gold) = categorical else { continue }
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
            for method in methods where method.descriptor.accepts(.categorical) && !(method.binaryOnly && table.labelCount != 2) {
                progress("\(name): \(method.name)")
                do {
                    var times: [Double] = []
                    var result: (labels: [Int32], iterations: Int?) = ([], nil)
                    for _ in 0..<repeats {
                        let start = ContinuousClock.now
                        result = try method.fit(table, gold)
                        times.append((ContinuousClock.now - start).seconds)
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
