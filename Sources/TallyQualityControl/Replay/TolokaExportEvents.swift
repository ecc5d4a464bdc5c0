import TallyCore

/// Assignment events rebuilt from Toloka's TSV export (the web interface's "Download results"), for
/// replaying a pool's rules.
///
/// Rows are grouped into assignments by `ASSIGNMENT:assignment_id` (or, without it, by runs of
/// rows with the same worker and start time). Per assignment, by `ASSIGNMENT:status`:
/// * `SUBMITTED`, `APPROVED` (or `ACCEPTED`), `REJECTED`: a submission at `ASSIGNMENT:submitted`
///   (at `ASSIGNMENT:started` when that column is absent, and then with an unknown duration, so
///   submit-time rules see no fast suites); then an accept at `ASSIGNMENT:accepted` or a reject at
///   `ASSIGNMENT:rejected` (at the submission time when those columns are absent).
/// * `SKIPPED`, `EXPIRED`: a skip or an expiry at `ASSIGNMENT:skipped` / `ASSIGNMENT:expired`
///   (else at the start); `ACTIVE`: nothing.
/// * A row with any `GOLDEN:` cell filled is a control answer, correct when every `OUTPUT:` field
///   whose `GOLDEN:` cell is filled equals it. Such a row whose `HINT:text` is filled is a training
///   answer (training tasks carry a hint, `message_on_unknown_solution`); without a hint, training
///   answers cannot be told apart and count as control answers.
/// * Other rows are general answers. A task (`ASSIGNMENT:task_id`, else its `INPUT:` values) is
///   taken to have reached its overlap with the answers in the file; at its last submission time
///   every Toloker who answered it gets a `majorityResolved` event: the majority is the most
///   frequent `OUTPUT:` tuple, and there is none when two tie. Answers of rejected assignments count.
///
/// Rows without a status column count as submitted. Events come out in time order.
///
///     let export = try TolokaExportEvents.read(path: "export.tsv")
///     let rules = try QualityControl.read(path: "pool.json")
///     for action in try export.replay(rules) {
///         print(export.workers.name(action.worker), action.rulePath, action.action.kind)
///     }
public struct TolokaExportEvents: Sendable {
    /// The events, in time order.
    public var events: [AssignmentEvent]
    /// Worker ids ↔ `ASSIGNMENT:worker_id`.
    public var workers: Interner
    /// Task ids in `majorityResolved` events ↔ task names.
    public var tasks: Interner

    /// Reads the export at `path` (`-` for standard input).
    /// - Throws: TallyCore's `InputError` for unreadable or ragged files, ``QualityControlError`` (path `file:line`) for bad values.
    public static func read(path: String) throws -> TolokaExportEvents {
        let table = try TableReader.read(path, required: ["ASSIGNMENT:worker_id"], expecting: "Toloka's export columns (ASSIGNMENT:worker_id, ASSIGNMENT:status, ASSIGNMENT:started, OUTPUT:…)", delimiter: UInt8(ascii: "\t"))
        return try TolokaExportEvents(table)
    }

    /// Builds the events from an export already read.
    package init(_ table: TableReader) throws(QualityControlError) {
        func column(_ name: String) -> Int? { table.header.firstIndex(of: name) }
        guard let workerColumn = column("ASSIGNMENT:worker_id") else {
            throw QualityControlError(.missingField, path: table.file, "missing column ASSIGNMENT:worker_id")
        }
        let assignmentColumn = column("ASSIGNMENT:assignment_id")
        let statusColumn = column("ASSIGNMENT:status")
        let startedColumn = column("ASSIGNMENT:started")
        let submittedColumn = column("ASSIGNMENT:submitted")
        guard startedColumn != nil || submittedColumn != nil else {
            throw QualityControlError(.missingField, path: table.file, "missing column ASSIGNMENT:started (or ASSIGNMENT:submitted); the rules need times")
        }
        let timeColumns = (accepted: column("ASSIGNMENT:accepted"), rejected: column("ASSIGNMENT:rejected"), skipped: column("ASSIGNMENT:skipped"), expired: column("ASSIGNMENT:expired"))
        let outputs = table.header.indices.filter { table.header[$0].hasPrefix("OUTPUT:") }
        let golden = outputs.map { column("GOLDEN:" + table.header[$0].dropFirst("OUTPUT:".count)) }
        let hintColumn = column("HINT:text")
        let taskColumns = column("ASSIGNMENT:task_id").map { [$0] } ?? table.header.indices.filter { table.header[$0].hasPrefix("INPUT:") }

        var workers = Interner()
        var tasks = Interner()
        var events: [AssignmentEvent] = []

        func time(_ row: Int, _ c: Int?) throws(QualityControlError) -> Double? {
            guard let c else { return nil }
            let text = table.rows[row][c]
            if text.isEmpty { return nil }
            guard let t = TolokaTime.parse(text) else {
                throw QualityControlError(.invalidValue, path: "\(table.file):\(table.lines[row])", "field '\(table.header[c])': expected a time such as 2024-02-04T19:13:23.631, got \"\(text)\"")
            }
            return t
        }

        // Group rows into assignments, in first-seen order.
        var groups: [[Int]] = []
        var groupOf: [String: Int] = [:]
        for r in table.rows.indices {
            let row = table.rows[r]
            if let a = assignmentColumn, !row[a].isEmpty {
                if let g = groupOf[row[a]] { groups[g].append(r) } else { groupOf[row[a]] = groups.count; groups.append([r]) }
            } else if let last = groups.last?.last, table.rows[last][workerColumn] == row[workerColumn],
                      startedColumn.map({ table.rows[last][$0] == row[$0] }) ?? true,
                      assignmentColumn.map({ table.rows[last][$0].isEmpty }) ?? true {
                groups[groups.count - 1].append(r)
            } else {
                groups.append([r])
            }
        }

        // Per general task: (worker, answer tuple, submission time).
        var general: [[(worker: Int32, answer: String, time: Double)]] = []
        for rows in groups {
            let first = rows[0]
            let worker = workers.intern(table.rows[first][workerColumn])
            let status = statusColumn.map { table.rows[first][$0] } ?? "SUBMITTED"
            let started = try time(first, startedColumn)
            switch status {
            case "SUBMITTED", "APPROVED", "ACCEPTED", "REJECTED":
                let submittedAt = try time(first, submittedColumn)
                guard let at = submittedAt ?? started else {
                    throw QualityControlError(.invalidValue, path: "\(table.file):\(table.lines[first])", "field '\(table.header[submittedColumn ?? startedColumn!])': empty; expected the assignment's time")
                }
                var control = AnswerOutcomes(), training = AnswerOutcomes()
                for r in rows {
                    let row = table.rows[r]
                    var isControl = false, correct = true
                    for (k, o) in outputs.enumerated() {
                        guard let g = golden[k], !row[g].isEmpty else { continue }
                        isControl = true
                        if row[o] != row[g] { correct = false }
                    }
                    if isControl, let h = hintColumn, !row[h].isEmpty {
                        training.append(correct)
                    } else if isControl {
                        control.append(correct)
                    } else if !outputs.isEmpty, !taskColumns.isEmpty {
                        let task = tasks.intern(taskColumns.map { row[$0] }.joined(separator: " | "))
                        if Int(task) == general.count { general.append([]) }
                        general[Int(task)].append((worker, outputs.map { row[$0] }.joined(separator: "\t"), at))
                    }
                }
                let duration = submittedAt.flatMap { s in started.map { s - $0 } } ?? .nan
                events.append(.submitted(time: at, worker: worker, duration: duration, control: control, training: training))
                if status == "REJECTED" {
                    events.append(AssignmentEvent(time: try time(first, timeColumns.rejected) ?? at, worker: worker, .rejected))
                } else if status != "SUBMITTED" {
                    events.append(AssignmentEvent(time: try time(first, timeColumns.accepted) ?? at, worker: worker, .accepted))
                }
            case "SKIPPED", "EXPIRED":
                let c = status == "SKIPPED" ? timeColumns.skipped : timeColumns.expired
                guard let at = try time(first, c) ?? started else {
                    throw QualityControlError(.invalidValue, path: "\(table.file):\(table.lines[first])", "field '\(table.header[startedColumn ?? submittedColumn!])': empty; expected the assignment's time")
                }
                events.append(AssignmentEvent(time: at, worker: worker, status == "SKIPPED" ? .skipped : .expired))
            case "ACTIVE":
                break
            default:
                throw QualityControlError(.invalidValue, path: "\(table.file):\(table.lines[first])", "field 'ASSIGNMENT:status': expected one of SUBMITTED, APPROVED, REJECTED, SKIPPED, EXPIRED, ACTIVE, got \"\(status)\"")
            }
        }

        for (task, answers) in general.enumerated() {
            var counts: [String: Int32] = [:]
            for a in answers { counts[a.answer, default: 0] += 1 }
            let best = counts.values.max() ?? 0
            let leaders = counts.filter { $0.value == best }
            let majority = leaders.count == 1 ? leaders.first!.key : nil
            let size = majority == nil ? 0 : best
            let at = answers.map(\.time).max() ?? 0
            for a in answers {
                events.append(AssignmentEvent(time: at, worker: a.worker, .majorityResolved(task: Int32(task), agreed: a.answer == majority, majoritySize: size)))
            }
        }

        self.events = QualityControlReplay.inTimeOrder(events)
        self.workers = workers
        self.tasks = tasks
    }

    /// The actions `qualityControl` would have taken on this export.
    public func replay(_ qualityControl: QualityControl, ignoringUnsupported: Bool = false) throws(QualityControlError) -> [QualityControlAction] {
        try QualityControlReplay.run(events, rules: qualityControl, ignoringUnsupported: ignoringUnsupported)
    }
}
