import Foundation
import TallyCore

/// The task-independent part of a fitted Dawid-Skene or one-coin Dawid-Skene model, by name: the
/// label names, the class prior, and each worker's confusion matrix (and one-coin skill). Saved as
/// versioned JSON (`tally aggregate --save-model`), it starts a later fit on more answers where
/// this one stopped (``InitialConfusions/init(resuming:)``, `--init-model`), so a pool whose
/// answers keep arriving is re-aggregated in a few iterations.
///
/// ```swift
/// let model = try DawidSkene().fit(monday)
/// try DawidSkeneParameters(model, of: monday, method: "ds").write(to: "model.json")
/// let saved = try DawidSkeneParameters.read("model.json")
/// let updated = try DawidSkene(initialConfusions: InitialConfusions(resuming: saved)).fit(tuesday)
/// ```
///
/// The file:
///
/// ```json
/// {"format": "tally-dawid-skene", "version": 1, "method": "ds",
///  "labels": ["no", "yes"], "priors": [0.4, 0.6],
///  "workers": [{"name": "w1", "answers": ["no", "yes"], "confusion": [[0.9, 0.2], [0.1, 0.8]]}]}
/// ```
///
/// `confusion[i][c]` is `P(the worker answers answers[i] | the truth is labels[c])`; only the labels
/// the worker gave have a row. One-coin models add `"skill"` per worker.
public struct DawidSkeneParameters: Sendable, Equatable {
    /// The `format` field of the file.
    public static let formatName = "tally-dawid-skene"
    /// The `version` this build writes and reads.
    public static let version = 1

    /// One worker's parameters.
    public struct Worker: Sendable, Equatable {
        /// The worker's name as in the answers.
        public var name: String
        /// The labels the worker gave (one confusion row each).
        public var answers: [String]
        /// `confusion[i][c] = P(answers[i] | truth labels[c])`, one row per entry of ``answers``.
        public var confusion: [[Double]]
        /// The one-coin skill (one-coin models only).
        public var skill: Double?

        /// A worker's parameters; `confusion` has one row per label in `answers`.
        public init(name: String, answers: [String], confusion: [[Double]], skill: Double? = nil) {
            self.name = name
            self.answers = answers
            self.confusion = confusion
            self.skill = skill
        }
    }

    /// The registry name of the method that was fitted (`ds` or `onecoin-ds`).
    public var method: String
    /// The label names, in the order of ``priors`` and of every confusion row's columns.
    public var labels: [String]
    /// The class prior, one per label.
    public var priors: [Double]
    /// Every worker of the fit.
    public var workers: [Worker]

    /// Parameters given directly.
    public init(method: String, labels: [String], priors: [Double], workers: [Worker]) {
        self.method = method
        self.labels = labels
        self.priors = priors
        self.workers = workers
    }

    /// The parameters of `model`, fitted on `answers`, with the names of `answers`.
    public init(_ model: DawidSkeneModel, of answers: AnswerTable, method: String) {
        let k = answers.labelCount
        let c = model.confusions
        self.method = method
        labels = answers.labels.names
        priors = model.priors
        workers = (0..<answers.workerCount).map { w in
            let given = (0..<k).filter { c.isObserved(worker: w, answer: $0) }
            return Worker(name: answers.workers.name(Int32(w)), answers: given.map { answers.labels[$0] },
                          confusion: given.map { y in (0..<k).map { c[w, y, $0] } }, skill: model.skills?[w])
        }
    }
}

extension DawidSkeneParameters {
    private struct File: Codable {
        var format: String
        var version: Int
        var method: String
        var labels: [String]
        var priors: [Double]
        var workers: [WorkerRecord]
    }

    private struct WorkerRecord: Codable {
        var name: String
        var answers: [String]
        var confusion: [[Double]]
        var skill: Double?
    }

    /// The JSON text of the file (keys in a fixed order, numbers that read back exactly).
    public func jsonBytes() throws -> [UInt8] {
        let file = File(format: Self.formatName, version: Self.version, method: method, labels: labels, priors: priors,
                        workers: workers.map { WorkerRecord(name: $0.name, answers: $0.answers, confusion: $0.confusion, skill: $0.skill) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var bytes = [UInt8](try encoder.encode(file))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Writes the file atomically (a temporary file renamed over `path`).
    /// - Throws: `AtomicFile.WriteError` when `path` cannot be written.
    public func write(to path: String) throws {
        try AtomicFile.write(try jsonBytes(), to: path)
    }

    /// Reads and checks a file written by ``write(to:)``.
    ///
    /// - Throws: ``InputError`` naming the file and the field when it cannot be read, is not JSON,
    ///   is not a `tally-dawid-skene` file of a version this build reads, or holds parameters that
    ///   do not fit together (a prior or confusion row of the wrong length, a probability outside
    ///   [0, 1], a label not among `labels`, a worker twice).
    public static func read(_ path: String) throws -> DawidSkeneParameters {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw InputError(exists ? .unreadable : .fileNotFound, file: path, exists ? "cannot read the model file" : "no such model file")
        }
        return try decode(data, file: path)
    }

    /// Parses and checks the JSON of a model file; `file` names it in errors.
    /// - Throws: ``InputError`` as ``read(_:)`` does.
    public static func decode(_ data: Data, file: String) throws -> DawidSkeneParameters {
        if let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            guard header["format"] as? String == formatName else {
                throw InputError(.invalidValue, file: file, field: "format", "expected \"\(formatName)\" (a model written by tally aggregate --save-model), got \(header["format"].map { "\($0)" } ?? "none")")
            }
            guard let v = header["version"] as? Int, v == version else {
                throw InputError(.invalidValue, file: file, field: "version", "this build reads version \(version) model files, got \(header["version"].map { "\($0)" } ?? "none")")
            }
        }
        let f: File
        do {
            f = try JSONDecoder().decode(File.self, from: data)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw InputError(.invalidJSON, file: file, "not valid JSON")
        } catch let e as DecodingError {
            let (path, what) = Self.describe(e)
            throw InputError(.invalidJSON, file: file, field: path.isEmpty ? nil : path, what)
        }
        let k = f.labels.count
        guard k >= 1 else { throw InputError(.invalidValue, file: file, field: "labels", "expected at least one label") }
        var index: [String: Int] = [:]
        for (i, l) in f.labels.enumerated() {
            guard index.updateValue(i, forKey: l) == nil else {
                throw InputError(.invalidValue, file: file, field: "labels", "label '\(l)' is listed twice")
            }
        }
        guard f.priors.count == k else {
            throw InputError(.invalidValue, file: file, field: "priors", "expected \(k) numbers (one per label), got \(f.priors.count)")
        }
        for (i, p) in f.priors.enumerated() where !(p.isFinite && p >= 0 && p <= 1) {
            throw InputError(.invalidValue, file: file, field: "priors[\(i)]", "expected a probability in [0, 1], got \(p)")
        }
        var seen = Set<String>()
        for (n, w) in f.workers.enumerated() {
            let at = "workers[\(n)]"
            guard seen.insert(w.name).inserted else { throw InputError(.invalidValue, file: file, field: "\(at).name", "worker '\(w.name)' is listed twice") }
            guard w.confusion.count == w.answers.count else {
                throw InputError(.invalidValue, file: file, field: "\(at).confusion", "expected one row per answered label (\(w.answers.count)), got \(w.confusion.count)")
            }
            for (i, a) in w.answers.enumerated() {
                guard index[a] != nil else { throw InputError(.invalidValue, file: file, field: "\(at).answers[\(i)]", "label '\(a)' is not among the file's labels") }
                guard w.confusion[i].count == k else {
                    throw InputError(.invalidValue, file: file, field: "\(at).confusion[\(i)]", "expected \(k) numbers (one per true label), got \(w.confusion[i].count)")
                }
                for (c, v) in w.confusion[i].enumerated() where !(v.isFinite && v >= 0 && v <= 1) {
                    throw InputError(.invalidValue, file: file, field: "\(at).confusion[\(i)][\(c)]", "expected a probability in [0, 1], got \(v)")
                }
            }
            if Set(w.answers).count != w.answers.count {
                throw InputError(.invalidValue, file: file, field: "\(at).answers", "a label is listed twice")
            }
            if let s = w.skill, !(s.isFinite && s >= 0 && s <= 1) {
                throw InputError(.invalidValue, file: file, field: "\(at).skill", "expected a probability in [0, 1], got \(s)")
            }
        }
        return DawidSkeneParameters(method: f.method, labels: f.labels, priors: f.priors,
                                    workers: f.workers.map { Worker(name: $0.name, answers: $0.answers, confusion: $0.confusion, skill: $0.skill) })
    }

    private static func describe(_ e: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { s, key in key.intValue.map { s + "[\($0)]" } ?? (s.isEmpty ? key.stringValue : s + "." + key.stringValue) }
        }
        switch e {
        case .keyNotFound(let key, let c): return (path(c.codingPath + [key]), "missing")
        case .typeMismatch(let type, let c): return (path(c.codingPath), "expected \(type == Double.self ? "a number" : type == String.self ? "a string" : "a value of type \(type)")")
        case .valueNotFound(let type, let c): return (path(c.codingPath), "expected \(type), got null")
        case .dataCorrupted(let c): return (path(c.codingPath), c.debugDescription)
        @unknown default: return ("", "not a model file")
        }
    }
}
