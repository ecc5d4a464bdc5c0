/// Toloka's web-interface TSV export ("Download results").
///
/// One row per task per assignment. The task is named by its `INPUT:` values (joined by ` | `
/// when there are several) or by a column the user names; the label is an `OUTPUT:` column; the
/// worker is `ASSIGNMENT:worker_id`. Rows whose `GOLDEN:` cell for the label's field is filled are
/// answers on control tasks: they stay answers and also give the task's gold label. Rows of
/// `REJECTED` assignments are left out unless asked for; rows of `SKIPPED`, `EXPIRED` and `ACTIVE`
/// assignments carry no answer and are left out.
enum TolokaExportFormat {
    static let joiner = Array(" | ".utf8)

    /// Sets `key` to a row's task key: the cells of its task columns joined by ` | `.
    static func taskKey(_ fields: [UnsafeRawBufferPointer], columns: [Int], into key: inout [UInt8]) {
        key.removeAll(keepingCapacity: true)
        for (n, c) in columns.enumerated() {
            if n > 0 { key.append(contentsOf: joiner) }
            key.append(contentsOf: fields[c])
        }
    }

    /// Whether a row whose `ASSIGNMENT:status` cell is `status` is left out: `SKIPPED`, `EXPIRED` and
    /// `ACTIVE` assignments carry no answer, `REJECTED` ones are left out unless
    /// `options.includeRejected`. A row left out is counted in `skipped` under its status, lower-cased.
    static func leavesOut(status field: UnsafeRawBufferPointer, options: AnswerReadOptions, counting skipped: inout [String: Int]) -> Bool {
        let status = String(decoding: field, as: UTF8.self)
        switch status {
        case "REJECTED" where !options.includeRejected, "SKIPPED", "EXPIRED", "ACTIVE":
            skipped[status.lowercased(), default: 0] += 1
            return true
        default:
            return false
        }
    }

    static func read(_ source: ByteSource, options: AnswerReadOptions, progress: ((Int) -> Void)?) throws -> AnswerFile {
        let file = source.name
        var scanner = DelimitedScanner(source, delimiter: options.delimiter ?? UInt8(ascii: "\t"), progress: progress)
        var builder = AnswerTableBuilder()
        if let total = source.totalBytes { builder.reserveCapacity(total / 128) }
        var layout: Layout?
        var key: [UInt8] = []
        var goldTasks = Interner()
        var goldLabels: [String] = []
        var skipped: [String: Int] = [:]

        try scanner.forEach { fields, line in
            guard let cols = layout else {
                layout = try Layout(fields.map { String(decoding: $0, as: UTF8.self) }, options: options, file: file, line: line)
                return
            }
            guard fields.count == cols.names.count else {
                let field = fields.count < cols.names.count ? cols.names[fields.count] : "column \(cols.names.count + 1)"
                throw InputError(.raggedRow, file: file, line: line, field: field, "row has \(fields.count) fields, expected \(cols.names.count) as in the header")
            }
            // Known solutions count even on rows whose answer is left out (a rejected assignment
            // still shows the control task's golden answer).
            if let g = cols.golden, !fields[g].isEmpty {
                guard isValidUTF8(fields[g]) else {
                    throw InputError(.invalidUTF8, file: file, line: line, field: cols.names[g], "invalid UTF-8; expected text in UTF-8")
                }
                taskKey(fields, columns: cols.task, into: &key)
                let gold = String(decoding: fields[g], as: UTF8.self)
                let (id, isNew) = key.withUnsafeBytes { goldTasks.intern($0) }
                if isNew {
                    goldLabels.append(gold)
                } else if !goldLabels[Int(id)].utf8.elementsEqual(gold.utf8) {
                    throw InputError(.conflictingGold, file: file, line: line, field: cols.names[g], "task \(ErrorText.quoted(goldTasks.name(id))) has two golden answers, \(ErrorText.quoted(goldLabels[Int(id)])) and \(ErrorText.quoted(gold))")
                }
            }
            if let s = cols.status, leavesOut(status: fields[s], options: options, counting: &skipped) {
                return
            }
            let labelBytes = fields[cols.label]
            // Task key: one column, or the INPUT values joined.
            taskKey(fields, columns: cols.task, into: &key)
            let t = try key.withUnsafeBytes {
                try AnswerTableBuilder.internChecked(&builder.tasks, $0, file: file, line: line, field: cols.taskField)
            }
            let w = try AnswerTableBuilder.internChecked(&builder.workers, fields[cols.worker], file: file, line: line, field: cols.names[cols.worker])
            let l = try AnswerTableBuilder.internChecked(&builder.rawLabels, labelBytes, file: file, line: line, field: cols.names[cols.label])
            builder.append(task: t, worker: w, label: l)
        }
        guard layout != nil else {
            throw InputError(.emptyFile, file: file, "the file is empty; expected Toloka's export header (INPUT:…, OUTPUT:…, ASSIGNMENT:worker_id)")
        }
        if builder.count == 0 && !skipped.isEmpty {
            let what = skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            throw InputError(.noAnswers, file: file, "no answers left: every row was left out (\(what))\(skipped["rejected"] != nil ? "; --include-rejected keeps rejected assignments" : "")")
        }
        let gold = goldLabels.isEmpty ? nil : try GoldLabels(goldLabels.indices.map { GoldLabels.Entry(task: goldTasks.name(Int32($0)), label: goldLabels[$0]) }, file: file)
        return AnswerFile(table: try builder.build(file: file), gold: gold, format: .toloka, skipped: skipped)
    }

    /// Which columns of an export hold what.
    struct Layout {
        let names: [String]
        let task: [Int]
        let taskField: String
        let label: Int
        let golden: Int?
        let worker: Int
        let status: Int?

        init(_ names: [String], options: AnswerReadOptions, file: String, line: Int) throws {
            self.names = names
            func index(_ name: String) -> Int? { names.firstIndex { $0.utf8.elementsEqual(name.utf8) } }
            let shown = HeaderCheck.found(names)

            guard let w = index("ASSIGNMENT:worker_id") else {
                throw InputError(.missingColumn, file: file, line: line, field: "ASSIGNMENT:worker_id", "missing column; a Toloka export names the worker in ASSIGNMENT:worker_id, \(shown)")
            }
            try HeaderCheck.requireUniqueNames(names, file: file, line: line)
            worker = w
            status = index("ASSIGNMENT:status")

            let outputs = names.indices.filter { names[$0].hasPrefix("OUTPUT:") }
            if let wanted = options.labelColumn {
                let full = wanted.hasPrefix("OUTPUT:") ? wanted : "OUTPUT:" + wanted
                guard let l = index(full) ?? index(wanted) else {
                    throw InputError(.missingColumn, file: file, line: line, field: wanted, "no such label column; the OUTPUT columns are \(outputs.isEmpty ? "none" : ErrorText.list(outputs.map { names[$0] }))")
                }
                label = l
            } else {
                guard outputs.count == 1 else {
                    let list = outputs.isEmpty ? "none" : ErrorText.list(outputs.map { names[$0] })
                    throw InputError(.missingColumn, file: file, line: line, field: "OUTPUT:",
                        outputs.isEmpty ? "no OUTPUT: column; expected one holding the workers' labels" : "several OUTPUT: columns (\(list)); choose one with --label-column")
                }
                label = outputs[0]
            }
            let fieldName = names[label].hasPrefix("OUTPUT:") ? String(names[label].dropFirst("OUTPUT:".count)) : names[label]
            golden = index("GOLDEN:" + fieldName)

            if let wanted = options.taskColumn {
                guard let c = index(wanted) ?? index("INPUT:" + wanted) else {
                    throw InputError(.missingColumn, file: file, line: line, field: wanted, "no such task column; \(shown)")
                }
                task = [c]
                taskField = names[c]
            } else {
                let inputs = names.indices.filter { names[$0].hasPrefix("INPUT:") }
                guard !inputs.isEmpty else {
                    throw InputError(.missingColumn, file: file, line: line, field: "INPUT:", "no INPUT: column to name tasks by; name one with --task-column (for example ASSIGNMENT:task_id)")
                }
                task = inputs
                taskField = inputs.map { names[$0] }.joined(separator: " | ")
            }
        }
    }
}
