import Foundation
import TallyCore

extension DawidSkeneEngine {
    /// Replaces the first M-step's parameters with those of a saved fit (a warm start): the class
    /// prior and, for each worker the model names whose every answered label has a row in it, the
    /// confusion matrix (and skill). Other workers keep the matrices of the usual start.
    ///
    /// - Returns: how many of the answers' workers were taken from the model.
    /// - Throws: ``AggregationError`` when the model's labels are not the answers' labels.
    func resume(
        from model: DawidSkeneParameters, prior: inout [Double], confusion: inout [Double], logConfusion: inout [Double],
        skills: inout [Double]?
    ) throws -> Int {
        let names = table.labels.names
        let missing = names.filter { !model.labels.contains($0) }, extra = model.labels.filter { !names.contains($0) }
        guard missing.isEmpty && extra.isEmpty && model.labels.count == k else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("the answers have \(ErrorText.list(missing, limit: 5)) which the model lacks") }
            if !extra.isEmpty { parts.append("the model has \(ErrorText.list(extra, limit: 5)) which the answers lack") }
            throw AggregationError("the initial model's labels (\(ErrorText.list(model.labels, limit: 10))) are not the answers' labels (\(ErrorText.list(names, limit: 10))): \(parts.joined(separator: "; "))")
        }
        guard model.priors.count == model.labels.count else {
            throw AggregationError("the initial model has \(model.priors.count) priors for \(model.labels.count) labels")
        }
        // Model label position → the table's label id.
        let toTable = model.labels.map { table.labels.index(of: $0)! }
        for (i, c) in toTable.enumerated() { prior[c] = model.priors[i] }
        var taken = 0
        var row = [Double](repeating: 0, count: k * k)
        var covered = [Bool](repeating: false, count: k)
        for worker in model.workers {
            guard let id = table.workers.lookup(worker.name) else { continue }
            let w = Int(id)
            for i in row.indices { row[i] = 0 }
            for y in 0..<k { covered[y] = false }
            for (i, answer) in worker.answers.enumerated() {
                guard let y = table.labels.index(of: answer), i < worker.confusion.count, worker.confusion[i].count == k else { continue }
                covered[y] = true
                for (j, v) in worker.confusion[i].enumerated() { row[y * k + toTable[j]] = max(v, Self.eps) }
            }
            // A label the worker now gives but the model has no row for: the usual start.
            guard (0..<k).allSatisfy({ !observed[w * k + $0] || covered[$0] }) else { continue }
            for i in 0..<(k * k) {
                confusion[w * k * k + i] = row[i]
                logConfusion[w * k * k + i] = row[i] > 0 ? log(row[i]) : -Double.infinity
            }
            if let s = worker.skill, skills != nil { skills![w] = s }
            taken += 1
        }
        return taken
    }
}
