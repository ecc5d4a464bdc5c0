import Foundation
import TallyCore

extension DawidSkeneEngine {
    /// Replaces the first M-step's parameters with those of a saved fit (a warm start): the class
    /// prior and, for each worker the model names whose every answered label has a row in it, the
    /// confusion matrix (and skill). Other workers keep the matrices of the usual start.
    ///
    /// Dawid-Skene (not one-coin): each resumed cell of a label the worker now gives is raised to at
    /// least half an answer, `0.5 / (n_w π_c + 0.5 K_w)` (`n_w` the worker's answers here, `π_c` the
    /// saved prior, `K_w` the labels the worker gives), and each column renormalised over them. A maximum-likelihood
    /// fit holds a confusion the worker never showed at 1e-10, and EM cannot raise such a cell: a
    /// new task where the worker makes that mistake gets a posterior near 0 for its truth, so no
    /// count ever reaches the cell, and the task keeps a wrong label that a cold fit (which sees
    /// the mistake in its majority-vote start) gives right. The first M-step takes the raised mass
    /// back where the answers do not support it; the first iteration's gain includes that return,
    /// measured honestly from the renormalised start.
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
            // The one-coin model's cells are not columns normalised over the worker's labels (a
            // one-label worker has s and 1 - s on one row), so they are resumed as saved.
            if mStep == .full { raiseUnseen(&row, worker: w, prior: prior) }
            for i in 0..<(k * k) {
                confusion[w * k * k + i] = row[i]
                logConfusion[w * k * k + i] = row[i] > 0 ? log(row[i]) : -Double.infinity
            }
            if let s = worker.skill, skills != nil { skills![w] = s }
            taken += 1
        }
        return taken
    }

    /// Raises the cells of `row` (one worker's `K × K` confusion, rows = answers) on the labels the
    /// worker gives to at least half an answer and renormalises each true-label column over them.
    private func raiseUnseen(_ row: inout [Double], worker w: Int, prior: [Double]) {
        let answers = Double(table.byWorker.offsets[w + 1] - table.byWorker.offsets[w])
        let given = (0..<k).filter { observed[w * k + $0] }
        guard !given.isEmpty else { return }
        for c in 0..<k {
            let floor = 0.5 / (answers * max(prior[c], Self.eps) + 0.5 * Double(given.count))
            var sum = 0.0
            for y in given {
                row[y * k + c] = max(row[y * k + c], floor)
                sum += row[y * k + c]
            }
            for y in given { row[y * k + c] /= sum }
        }
    }
}
