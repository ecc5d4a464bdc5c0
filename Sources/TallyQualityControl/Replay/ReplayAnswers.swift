import TallyCore

/// Answers as three parallel columns of names.
public struct AnswerColumns: Sendable, Equatable {
    /// Task names.
    public var tasks: [String] = []
    /// Worker names.
    public var workers: [String] = []
    /// Labels.
    public var labels: [String] = []

    /// No answers.
    public init() {}

    /// The number of answers.
    public var count: Int { tasks.count }

    mutating func append(_ task: String, _ worker: String, _ label: String) {
        tasks.append(task); workers.append(worker); labels.append(label)
    }

    /// These answers followed by `other`'s.
    public func appending(_ other: AnswerColumns) -> AnswerColumns {
        var c = self
        c.tasks += other.tasks; c.workers += other.workers; c.labels += other.labels
        return c
    }
}

/// An export's accepted answers, with and without those banned workers gave after their first ban:
/// what `tally qc replay --gold` scores methods on.
public struct ReplayAnswers: Sendable {
    /// Accepted (not rejected) answers on general tasks (no GOLDEN: cell).
    public var all = AnswerColumns()
    /// ``all`` without the answers a worker submitted after its first ban.
    public var kept = AnswerColumns()
    /// Accepted answers on golden tasks (a GOLDEN: cell), all and kept, and the golden labels by task.
    public var goldenAll = AnswerColumns()
    /// ``goldenAll`` without the answers a worker submitted after its first ban.
    public var goldenKept = AnswerColumns()
    /// The golden tasks' known labels (GOLDEN: cells), by task.
    public var goldenLabels: [String: String] = [:]

    /// Answers removed by the bans.
    public var removed: Int { all.count - kept.count }

    /// Each worker's first restriction time (seconds), by name, from a replay's `actions`.
    public static func firstBans(_ actions: [QualityControlAction], workerName: (Int32) -> String) -> [String: Double] {
        var firstBan: [String: Double] = [:]
        for a in actions where a.restrictionEnd != nil {
            let name = workerName(a.worker)
            firstBan[name] = min(firstBan[name] ?? .infinity, a.time)
        }
        return firstBan
    }

    /// Reads the answers from Toloka's export `table` (read from `file`, for messages). Tasks are
    /// named by their INPUT: values joined by ` | `; the first OUTPUT: column is the label.
    /// An answer's time is ASSIGNMENT:submitted, else ASSIGNMENT:started.
    package init(export table: TableReader, file: String, firstBan: [String: Double]) throws {
        let outputs = table.header.indices.filter { table.header[$0].hasPrefix("OUTPUT:") }
        guard let label = outputs.first else {
            throw InputError(.missingColumn, file: file, field: "OUTPUT:", "no OUTPUT: column; expected one holding the workers' labels")
        }
        let golden = table.column("GOLDEN:" + table.header[label].dropFirst("OUTPUT:".count))
        let inputs = table.header.indices.filter { table.header[$0].hasPrefix("INPUT:") }
        guard let worker = table.column("ASSIGNMENT:worker_id") else {
            throw InputError(.missingColumn, file: file, field: "ASSIGNMENT:worker_id", "no ASSIGNMENT:worker_id column")
        }
        let status = table.column("ASSIGNMENT:status")
        let submitted = table.column("ASSIGNMENT:submitted"), started = table.column("ASSIGNMENT:started")
        for row in table.rows {
            if let s = status, !["SUBMITTED", "APPROVED", "ACCEPTED"].contains(row[s]) { continue }
            let task = inputs.map { row[$0] }.joined(separator: " | ")
            let w = row[worker]
            let timeText = submitted.map { row[$0] } ?? started.map { row[$0] } ?? ""
            let time = TolokaTime.parse(timeText, accepting: .dateOnly) ?? -.infinity
            let banned = firstBan[w].map { time > $0 } ?? false
            if let g = golden, !row[g].isEmpty {
                goldenLabels[task] = row[g]
                goldenAll.append(task, w, row[label])
                if !banned { goldenKept.append(task, w, row[label]) }
                continue
            }
            all.append(task, w, row[label])
            if !banned { kept.append(task, w, row[label]) }
        }
    }
}
