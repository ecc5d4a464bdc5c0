import TallyCore

// Each numeric method fitted on a `NumericAnswers` table: ids are the table's task and worker ids.

extension NumericMean {
    /// The mean of every task's answers in `answers`.
    public func fit(_ answers: NumericAnswers) throws -> NumericModel {
        try fit(task: answers.task, worker: answers.worker, value: answers.value, taskCount: answers.taskCount, workerCount: answers.workerCount)
    }
}

extension NumericMedian {
    /// The median of every task's answers in `answers`.
    public func fit(_ answers: NumericAnswers) throws -> NumericModel {
        try fit(task: answers.task, worker: answers.worker, value: answers.value, taskCount: answers.taskCount, workerCount: answers.workerCount)
    }
}

extension CATD {
    /// CATD fitted on `answers`.
    public func fit(_ answers: NumericAnswers) throws -> NumericModel {
        try fit(task: answers.task, worker: answers.worker, value: answers.value, taskCount: answers.taskCount, workerCount: answers.workerCount)
    }
}

extension PMCRH {
    /// PM / CRH fitted on `answers`.
    public func fit(_ answers: NumericAnswers) throws -> NumericModel {
        try fit(task: answers.task, worker: answers.worker, value: answers.value, taskCount: answers.taskCount, workerCount: answers.workerCount)
    }
}

extension LFCN {
    /// LFC_N fitted on `answers`.
    public func fit(_ answers: NumericAnswers) throws -> NumericModel {
        try fit(task: answers.task, worker: answers.worker, value: answers.value, taskCount: answers.taskCount, workerCount: answers.workerCount)
    }
}
