import TallyCore

extension MethodResult {
    /// What the fit predicted for `answers` (the answers it was fitted on), by task or item
    /// name, in the form ``KindScore`` scores: labels, values, item scores, texts or label sets.
    /// `nil` when the result holds no output of the answers' kind.
    public func prediction(for answers: Answers) -> KindPrediction? {
        func byName<T>(_ names: Interner, _ values: [T]) -> [String: T] {
            var out: [String: T] = [:]
            out.reserveCapacity(values.count)
            for (i, v) in values.enumerated() where i < names.count { out[names.name(Int32(i))] = v }
            return out
        }
        switch answers {
        case .categorical(let t):
            guard model != nil else { return nil }
            var out: [String: String] = [:]
            for (i, l) in labels.enumerated() where l >= 0 && i < t.taskCount { out[t.tasks.name(Int32(i))] = t.labels[Int(l)] }
            return .labels(out)
        case .numeric(let n):
            return taskValues.map { .values(byName(n.tasks, $0)) }
        case .pairwise(let p):
            return itemScores.map { .itemScores(byName(p.items, $0)) }
        case .text(let t):
            return taskTexts.map { .texts(byName(t.tasks, $0)) }
        case .multiLabel(let m):
            return taskLabelSets.map { sets in .labelSets(byName(m.tasks, sets.map { Set($0.map { m.labels[Int($0)] }) })) }
        }
    }
}
