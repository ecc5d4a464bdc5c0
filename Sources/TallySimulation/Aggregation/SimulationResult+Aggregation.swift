import TallyAggregation
import TallyCore

extension SimulationResult {
    /// The accepted answers on general tasks as an ``AnswerTable`` (names as in answers.tsv);
    /// with `includingGolden`, the accepted answers on golden tasks too.
    public func answerTable(includingGolden: Bool = false) throws -> AnswerTable {
        let (tasks, workers, labels) = acceptedAnswerNames(includingGolden: includingGolden)
        return try AnswerTable(tasks: tasks, workers: workers, labels: labels)
    }

    /// The accepted answers as (task, worker, label) names, in assignment order.
    func acceptedAnswerNames(includingGolden: Bool) -> (tasks: [String], workers: [String], labels: [String]) {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for a in 0..<assignmentCount where isAccepted(a) {
            let first = Int(assignmentSlotStart[a])
            for s in first..<first + Int(assignmentSlotCount[a]) where slotKind[s] == 0 || (includingGolden && slotKind[s] == 1) {
                tasks.append(taskName(slotTask[s], kind: slotKind[s]))
                workers.append(workerName(assignmentWorker[a]))
                labels.append(scenario.labels[Int(slotLabel[s])])
            }
        }
        return (tasks, workers, labels)
    }

    /// The true label of every general task, by name.
    public var trueLabels: GoldLabels {
        GoldLabels(Dictionary(uniqueKeysWithValues: taskLabels.indices.map { (taskName(Int32($0)), scenario.labels[Int(taskLabels[$0])]) }))
    }

    /// The golden tasks' known labels, by name.
    public var goldenSet: GoldLabels {
        GoldLabels(Dictionary(uniqueKeysWithValues: goldenLabels.indices.map { (taskName(Int32($0), kind: 1), scenario.labels[Int(goldenLabels[$0])]) }))
    }

    /// Each method's accuracy on the accepted general answers (``MethodRegistry/accuracies(_:answers:truth:golden:parameters:)``);
    /// methods that need gold learn from the golden tasks' answers. Empty when nothing was accepted.
    public func accuracies(_ methods: [MethodDescriptor], parameters: MethodParameters = MethodParameters()) throws -> [String: Double] {
        let (t, w, l) = acceptedAnswerNames(includingGolden: false)
        guard !t.isEmpty, !methods.isEmpty else { return [:] }
        let answers = try AnswerTable(tasks: t, workers: w, labels: l)
        let golden = methods.contains(where: \.needsGold) ? MethodRegistry.GoldenSet(answers: try answerTable(includingGolden: true), gold: goldenSet) : nil
        return try MethodRegistry.accuracies(methods, answers: answers, truth: trueLabels, golden: golden, parameters: parameters)
    }
}
