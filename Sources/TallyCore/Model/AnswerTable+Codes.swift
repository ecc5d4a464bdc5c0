extension AnswerTable {
    /// A table from answers already factorised into integer codes, with one name table each for
    /// tasks, workers and labels (what a data-frame library or a C caller has at hand).
    ///
    /// Task and worker ids are the caller's codes (`taskNames[c]` is task `c`); label ids are
    /// renumbered into ``LabelSet`` order, and `labelOrder` in the result gives, for each label id,
    /// the caller's label code. No string is made per answer.
    ///
    /// ```swift
    /// let (table, order) = try AnswerTable.fromCodes(
    ///     task: [0, 0, 1], worker: [0, 1, 0], label: [1, 0, 1],
    ///     taskNames: ["t1", "t2"], workerNames: ["w1", "w2"], labelNames: ["yes", "no"])
    /// // table.labels.names == ["no", "yes"]; order == [1, 0]
    /// ```
    ///
    /// - Throws: ``InputError`` when the columns differ in length or are empty, a code is out of
    ///   range, a name table repeats a name, or a task or worker has no answer.
    public static func fromCodes(task: [Int32], worker: [Int32], label: [Int32],
                                 taskNames: [String], workerNames: [String], labelNames: [String],
                                 source: String = "<memory>") throws -> (table: AnswerTable, labelOrder: [Int32]) {
        let n = task.count
        try InputError.checkColumnLengths(["tasks": n, "workers": worker.count, "labels": label.count], file: source)
        guard n > 0 else { throw InputError(.noAnswers, file: source, "no answers") }
        func interner(_ names: [String], _ what: String) throws -> Interner {
            let i = Interner(names)
            guard i.count == names.count else {
                var seen = Set<String>()
                let dup = names.first { !seen.insert($0).inserted } ?? "?"
                throw InputError(.invalidValue, file: source, field: what, "the \(what) names repeat '\(dup)'; each code needs its own name")
            }
            return i
        }
        let tasks = try interner(taskNames, "task"), workers = try interner(workerNames, "worker")
        _ = try interner(labelNames, "label")
        let set = LabelSet(labelNames)
        let k = set.count
        guard (tasks.count + 1) * k < Int(Int32.max), (workers.count + 1) * k < Int(Int32.max) else {
            throw InputError(.tooLarge, file: source, "\(tasks.count) tasks × \(k) labels exceed the 2^31 fused-index limit")
        }
        let toSet = labelNames.map { Int32(set.index(of: $0)!) }
        var order = [Int32](repeating: 0, count: k)
        for (code, id) in toSet.enumerated() { order[Int(id)] = Int32(code) }
        var seenTask = [Bool](repeating: false, count: tasks.count), seenWorker = [Bool](repeating: false, count: workers.count)
        var remapped = [Int32](repeating: 0, count: n)
        let (nt, nw, nl) = (Int32(tasks.count), Int32(workers.count), Int32(k))
        for i in 0..<n {
            let t = task[i], w = worker[i], l = label[i]
            guard t >= 0, t < nt else { throw InputError(.invalidValue, file: source, field: "task", "answer \(i): code \(t) is outside 0..<\(nt)") }
            guard w >= 0, w < nw else { throw InputError(.invalidValue, file: source, field: "worker", "answer \(i): code \(w) is outside 0..<\(nw)") }
            guard l >= 0, l < nl else { throw InputError(.invalidValue, file: source, field: "label", "answer \(i): code \(l) is outside 0..<\(nl)") }
            seenTask[Int(t)] = true
            seenWorker[Int(w)] = true
            remapped[i] = toSet[Int(l)]
        }
        if let t = seenTask.firstIndex(of: false) {
            throw InputError(.invalidValue, file: source, field: "task", "task '\(taskNames[t])' (code \(t)) has no answer")
        }
        if let w = seenWorker.firstIndex(of: false) {
            throw InputError(.invalidValue, file: source, field: "worker", "worker '\(workerNames[w])' (code \(w)) has no answer")
        }
        return (AnswerTable(tasks: tasks, workers: workers, labels: set, task: task, worker: worker, label: remapped), order)
    }
}
