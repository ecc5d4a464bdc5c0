/// Known true labels for some tasks (a golden set, or a data set's ground truth).
///
/// Kept by name, apart from any ``AnswerTable``, because gold often covers tasks that have no
/// answers and labels that no worker gave; ``aligned(to:)`` maps it onto a table's ids.
public struct GoldLabels: Sendable {
    /// One known label.
    public struct Entry: Sendable, Equatable {
        /// The task's name, as in the answers.
        public let task: String
        /// The task's true label.
        public let label: String
        /// An entry saying that `task`'s true label is `label`.
        public init(task: String, label: String) {
            self.task = task
            self.label = label
        }
    }

    /// What a list of (task, label) pairs holds, as error messages name it.
    public enum Kind: String, Sendable {
        /// True labels (`task 't1' has two gold labels`).
        case gold
        /// An aggregator's output read back, e.g. by `tally evaluate` (`two predicted labels`).
        case predicted
    }

    /// The entries, one per task, in the order they were given.
    public let entries: [Entry]

    /// Gold from entries; a task given twice must have the same label both times.
    ///
    /// - Parameter kind: what the entries are, for the error message (gold unless said).
    /// - Throws: ``InputError/Code/conflictingGold`` when one task has two different labels.
    public init(_ entries: [Entry], file: String = "<memory>", kind: Kind = .gold) throws {
        var index = Interner(capacity: entries.count)
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count)
        for e in entries {
            let before = index.count
            let id = Int(index.intern(e.task))
            if index.count == before {
                guard kept[id].label.utf8.elementsEqual(e.label.utf8) else {
                    throw InputError(.conflictingGold, file: file, field: "label", Self.conflict(task: e.task, e.label, kept[id].label, kind: kind))
                }
            } else {
                kept.append(e)
            }
        }
        self.entries = kept
    }

    /// `task 't1' has two gold labels, 'a' and 'b'`, each value made safe to print.
    static func conflict(task: String, _ label: String, _ first: String, kind: Kind) -> String {
        "task \(ErrorText.quoted(task)) has two \(kind.rawValue) labels, \(ErrorText.quoted(first)) and \(ErrorText.quoted(label))"
    }

    /// Gold from a task → label dictionary (order: by task name).
    public init(_ labels: [String: String]) {
        entries = labels.sorted { LabelSet.scalarOrder($0.key, $1.key) }.map { Entry(task: $0.key, label: $0.value) }
    }

    /// The number of tasks with gold.
    public var count: Int { entries.count }
    /// Whether no task has gold.
    public var isEmpty: Bool { entries.isEmpty }

    /// What gold says about each task of a table.
    public struct Alignment: Sendable {
        /// Per task id: the gold label's id in the table's ``LabelSet``, ``none`` for a task
        /// without gold, or ``unknownLabel`` for gold naming a label no worker gave.
        public let labelOfTask: [Int32]
        /// Gold entries whose task has no answers in the table.
        public let tasksWithoutAnswers: Int
        /// Tasks with gold in the table.
        public let goldTasks: Int

        /// In ``labelOfTask``: the task has no gold.
        public static let none: Int32 = -1
        /// In ``labelOfTask``: gold names a label that no answer in the table gives.
        public static let unknownLabel: Int32 = -2
    }

    /// Gold mapped onto `table`'s task and label ids.
    public func aligned(to table: AnswerTable) -> Alignment {
        var byTask = [Int32](repeating: Alignment.none, count: table.taskCount)
        var missing = 0, found = 0
        for e in entries {
            guard let t = table.tasks.lookup(e.task) else { missing += 1; continue }
            byTask[Int(t)] = table.labels.index(of: e.label).map(Int32.init) ?? Alignment.unknownLabel
            found += 1
        }
        return Alignment(labelOfTask: byTask, tasksWithoutAnswers: missing, goldTasks: found)
    }
}
