import TallyCore

extension DawidSkeneEngine {
    /// Throws (``MemoryGuard``) before anything is allocated when the engine's tables for `answers`
    /// would not fit: `counts`, `confusion`, `logConfusion` and one count table per extra thread,
    /// each `workers × K²` numbers, plus the `tasks × K` posteriors.
    static func checkMemory(_ answers: AnswerTable, mStep: MStep, execution: ExecutionSettings) throws {
        let k = Double(answers.labelCount), workers = Double(answers.workerCount)
        let threads = max(1, min(execution.threads, answers.answerCount / 100_000 + 1))
        let tables = 3 + Double(threads - 1)
        let bytes = 8 * workers * k * k * tables + 8 * 3 * Double(answers.taskCount) * k
        try MemoryGuard.require(mStep == .full ? "ds" : "onecoin-ds", bytes: bytes, labels: answers.labelCount,
                                detail: "a \(answers.labelCount) × \(answers.labelCount) table for each of \(answers.workerCount) workers")
    }
}
