import TallyCore

extension MACE {
    /// Throws (``MemoryGuard``) before anything is allocated when the fit for `answers` would not
    /// fit in memory: per restart its `workers × K` strategies (with their logs and counts), and the
    /// `tasks × K` posteriors of each restart running at once and of the final E-step.
    func checkMemory(_ answers: AnswerTable) throws {
        let k = Double(answers.labelCount), workers = Double(answers.workerCount), tasks = Double(answers.taskCount)
        let parallel = Double(max(1, min(max(1, execution.threads), restarts)))
        let bytes = 8 * (3 * workers * k * Double(restarts) + tasks * k * (parallel + 1))
        try MemoryGuard.require("mace", bytes: bytes, labels: answers.labelCount,
                                detail: "\(answers.taskCount) tasks × \(answers.labelCount) labels of posteriors, \(answers.workerCount) workers × \(answers.labelCount) strategies per restart")
    }
}
