import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

extension Aggregate {
    /// Throws when `descriptor` does not take answers of kind `type`, naming the methods that do.
    func refuseUnlessAccepted(_ descriptor: MethodDescriptor, _ type: AnswerType) throws {
        guard !descriptor.accepts(type) else { return }
        let others = MethodRegistry.methods(for: type).map(\.name)
        throw AggregationError("--method \(descriptor.name) aggregates \(descriptor.answerTypes.map(\.rawValue).joined(separator: ", ")) answers, but \(file == "-" ? "<stdin>" : file) holds \(type.rawValue) answers; "
            + (others.isEmpty ? "no method takes \(type.rawValue) answers yet" : "methods for \(type.rawValue) answers: \(others.joined(separator: ", "))")
            + (type == .categorical ? "" : " (--answer-type says how to read the file)"))
    }

    /// Fits `descriptor` with a line on stderr showing each iteration's loss (unless quiet), then
    /// prints the method's notes.
    func fitShowingProgress(_ descriptor: MethodDescriptor, _ answers: Answers, inputs: MethodInputs, parameters: MethodParameters) throws -> MethodResult {
        var inputs = inputs
        let iterationLine = ProgressLine(method, quiet: quiet)
        if iterationLine.enabled {
            let name = method
            inputs.progress = { @Sendable i, loss in iterationLine.message("\(name): iteration \(i), loss \(loss)") }
        }
        let result = try descriptor.fit(answers, inputs: inputs, parameters: parameters)
        iterationLine.finish()
        for line in result.notes { note(line, quiet: quiet) }
        return result
    }

    /// `tally aggregate` for pairwise, numeric, multi-label and text answers: fit, then write
    /// the kind's output (`item, score` by rank; `task, value`; `task, labels`; `task, text`).
    func aggregateOther(_ read: AnswersFile, descriptor: MethodDescriptor, parameters: MethodParameters, start: ContinuousClock.Instant) throws {
        let answers = read.answers
        var summary = "read \(answers.summary) (\(seconds(since: start)))"
        if !read.skipped.isEmpty {
            summary += "; left out " + read.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        note(summary, quiet: quiet)
        try refuseUnlessAccepted(descriptor, answers.type)
        let categoricalOnly: [(String, String?)] = [("--probabilities", probabilities), ("--worker-report", workerReport), ("--gold", gold),
                                                    ("--confusions", ds.confusions), ("--precisions", precisions)]
        for (option, value) in categoricalOnly where value != nil {
            throw AggregationError("\(option) applies to categorical answers; \(file == "-" ? "<stdin>" : file) holds \(answers.type.rawValue) answers")
        }

        let fitStart = ContinuousClock.now
        let result = try fitShowingProgress(descriptor, answers, inputs: MethodInputs(), parameters: parameters)
        note("\(method): fitted in \(seconds(since: fitStart))", quiet: quiet)

        func format(for path: String) -> OutputFormat { self.format ?? OutputFormat(pathExtensionOf: path) ?? .tsv }
        func missing(_ what: String) -> AggregationError { AggregationError("\(method) gave no \(what) for \(answers.type.rawValue) answers") }
        var outputs: [(bytes: [UInt8], path: String)] = []
        switch answers {
        case .pairwise(let p):
            guard let scores = result.itemScores else { throw missing("item scores") }
            let order = ResultWriter.rankOrder(scores, names: p.sortedItems, items: p.items)
            if let intervals = result.table("intervals") {
                let low = stride(from: 0, to: intervals.values.count, by: 2).map { intervals.values[$0] }
                let high = stride(from: 1, to: intervals.values.count, by: 2).map { intervals.values[$0] }
                outputs.append((ResultWriter.itemScores(p.items, scores, low: low, high: high, order: order, format: format(for: out)), out))
            } else {
                outputs.append((ResultWriter.itemScores(p.items, scores, order: order, format: format(for: out)), out))
            }
            if let skills {
                guard let values = result.workerSkills else { throw AggregationError("--skills: \(method) estimates no per-worker skill") }
                outputs.append((ResultWriter.columns("worker", keys: p.workers, columns: ["skill"], values: values, format: format(for: skills)), skills))
            }
        case .numeric(let n):
            guard let values = result.taskValues else { throw missing("task values") }
            outputs.append((ResultWriter.taskValues(n.tasks, values, format: format(for: out)), out))
            if let skills {
                guard let weights = result.workerSkills else { throw AggregationError("--skills: \(method) estimates no per-worker weight") }
                outputs.append((ResultWriter.columns("worker", keys: n.workers, columns: ["skill"], values: weights, format: format(for: skills)), skills))
            }
        case .multiLabel(let m):
            guard let sets = result.taskLabelSets else { throw missing("label sets") }
            outputs.append((ResultWriter.taskLabelSets(m.tasks, sets, labels: m.labels, format: format(for: out)), out))
        case .text(let t):
            guard let texts = result.taskTexts else { throw missing("texts") }
            outputs.append((ResultWriter.taskTexts(t.tasks, texts, format: format(for: out)), out))
        case .categorical:
            preconditionFailure("categorical answers take the categorical path")
        }
        if answers.type != .pairwise && answers.type != .numeric, skills != nil {
            throw AggregationError("--skills: \(method) estimates no per-worker skill")
        }
        try AtomicFile.write(outputs)
    }
}
