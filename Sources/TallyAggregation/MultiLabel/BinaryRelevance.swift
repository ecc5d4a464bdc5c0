import Foundation
import TallyCore

/// Binary relevance for multi-label answers, as crowd-kit 1.4.2's `BinaryRelevance` computes it:
/// each tag is a binary question of its own.
///
/// For every tag, in ``MultiLabelAnswers/labels`` order (scikit-learn's `MultiLabelBinarizer`
/// order), the base method (any categorical method of the registry) is fitted on
/// ``MultiLabelAnswers/binaryTable(for:)`` — every answer, labelled `1` when it holds the tag and
/// `0` when not — and a task gets the tag when the base method's label for it is `1`. A task may
/// end up with no tag. Ties follow the base method's own rule (crowd-kit with pandas 2: the
/// smaller label, `0`, so a tie leaves the tag out).
///
///     let m = try MultiLabelAnswers(tasks: ["t1", "t1", "t1"], workers: ["w1", "w2", "w3"],
///                                   labelSets: [["house", "tree"], ["house"], ["house", "tree", "grass"]])
///     let fit = try BinaryRelevance(base: MajorityVote.method).fit(m)
///     fit.labelSets[0].map { m.labels[Int($0)] }   // ["house", "tree"]
public struct BinaryRelevance: Sendable {
    /// The categorical method run per tag.
    public var base: MethodDescriptor
    /// Its parameter values (and compatibility mode, threads).
    public var parameters: MethodParameters
    /// Its inputs (gold labels for the methods that take them).
    public var inputs: MethodInputs

    /// What a fit gives.
    public struct Fit: Sendable {
        /// The chosen tag ids per task id, ascending.
        public var labelSets: [[Int32]]
        /// The probability of `1` per task (rows: task ids, columns: tag ids), from each tag's
        /// fit; NaN where the base method gives no probabilities.
        public var tagProbabilities: [Double]
        /// The base method's result per tag id.
        public var perTag: [MethodResult]
    }

    /// Binary relevance over `base`.
    ///
    /// - Throws: ``AggregationError`` when `base` takes no categorical answers or is itself a
    ///   method of another kind.
    public init(base: MethodDescriptor, parameters: MethodParameters = MethodParameters(), inputs: MethodInputs = MethodInputs()) throws {
        guard base.accepts(.categorical) else {
            throw AggregationError("binary-relevance: base method \(base.name) does not aggregate categorical answers; choose one of \(MethodRegistry.methods(for: .categorical).map(\.name).joined(separator: ", "))")
        }
        self.base = base
        self.parameters = parameters
        self.inputs = inputs
    }

    /// Fits the base method once per tag.
    public func fit(_ answers: MultiLabelAnswers) throws -> Fit {
        let tasks = answers.taskCount, tags = answers.labelCount
        var sets = [[Int32]](repeating: [], count: tasks)
        var probabilities = [Double](repeating: .nan, count: tasks * tags)
        var perTag: [MethodResult] = []
        perTag.reserveCapacity(tags)
        for tag in 0..<tags {
            let table = answers.binaryTable(for: Int32(tag))
            let one = Int32(table.labels.index(of: "1")!)
            let result: MethodResult
            do {
                result = try base.fit(table, inputs: inputs, parameters: parameters)
            } catch {
                throw AggregationError("binary-relevance: \(base.name) on tag \(ErrorText.quoted(answers.labels[tag])): \(error)")
            }
            let labels = result.labels
            let p = result.probabilities
            for t in 0..<tasks {
                if labels[t] == one { sets[t].append(Int32(tag)) }
                if p.rows == tasks && p.columns > Int(one) { probabilities[t * tags + tag] = p[t, Int(one)] }
            }
            perTag.append(result)
        }
        return Fit(labelSets: sets, tagProbabilities: probabilities, perTag: perTag)
    }

    /// Parameter values for `descriptor` from `name=value` items separated by commas (each value
    /// read as the type of the parameter's default), e.g. `max-iterations=10,tolerance=1e-3`.
    ///
    /// - Throws: ``AggregationError`` for an item without `=`, a name `descriptor` does not take,
    ///   or a value of the wrong type.
    public static func parameterValues(_ text: String, for descriptor: MethodDescriptor) throws -> [String: ParameterValue] {
        var out: [String: ParameterValue] = [:]
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let eq = item.firstIndex(of: "=") else { throw AggregationError("base-parameters: expected name=value, got '\(item)'") }
            let name = String(item[..<eq]), value = String(item[item.index(after: eq)...])
            guard let p = descriptor.parameter(name) else {
                throw AggregationError("base-parameters: \(descriptor.name) has no parameter '\(name)'; it takes \(descriptor.parameters.map(\.name).joined(separator: ", "))")
            }
            let parsed: ParameterValue?
            switch p.defaultValue {
            case .int: parsed = Int(value).map(ParameterValue.int)
            case .unsigned: parsed = UInt64(value).map(ParameterValue.unsigned)
            case .double: parsed = Double(value).flatMap { $0.isFinite ? ParameterValue.double($0) : nil }
            case .string: parsed = .string(value)
            case .flag: parsed = ["true": true, "false": false][value].map(ParameterValue.flag)
            }
            guard let parsed else { throw AggregationError("base-parameters: \(name) takes a \(p.defaultValue.typeName), got '\(value)'") }
            out[name] = parsed
        }
        return out
    }
}
