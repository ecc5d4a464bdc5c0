/// crowd-kit style answers: TSV or CSV with a header naming `task`, `worker` and `label`.
///
/// Columns may come in any order; other columns are ignored; `performer` is accepted as the old
/// name of `worker`. Every row must have as many fields as the header.
enum CrowdKitFormat {
    static func read(_ source: ByteSource, delimiter: UInt8?, progress: ((Int) -> Void)?) throws -> AnswerFile {
        let file = source.name
        var scanner = DelimitedScanner(file: file, delimiter: delimiter)
        var builder = AnswerTableBuilder()
        if let total = source.totalBytes { builder.reserveCapacity(total / 24) }
        var header: [String]?
        var ti = 0, wi = 0, li = 0
        try scanner.scan(source, progress: progress) { fields, line in
            guard let columns = header else {
                let names = fields.map { String(decoding: $0, as: UTF8.self) }
                let cols = try Columns(names, file: file, line: line)
                (ti, wi, li) = (cols.task, cols.worker, cols.label)
                header = names
                return
            }
            guard fields.count == columns.count else {
                let field = fields.count < columns.count ? columns[fields.count] : "column \(columns.count + 1)"
                throw InputError(.raggedRow, file: file, line: line, field: field, "row has \(fields.count) field\(fields.count == 1 ? "" : "s"), expected \(columns.count) as in the header")
            }
            let t = try AnswerTableBuilder.internChecked(&builder.tasks, fields[ti], file: file, line: line, field: columns[ti])
            let w = try AnswerTableBuilder.internChecked(&builder.workers, fields[wi], file: file, line: line, field: columns[wi])
            let l = try AnswerTableBuilder.internChecked(&builder.rawLabels, fields[li], file: file, line: line, field: columns[li])
            builder.append(task: t, worker: w, label: l)
        }
        guard header != nil else {
            throw InputError(.emptyFile, file: file, "the file is empty; expected a header naming task, worker and label")
        }
        return AnswerFile(table: try builder.build(file: file), gold: nil, format: .crowdkit, skipped: [:])
    }

    /// Positions of the required columns in a header.
    struct Columns {
        let task: Int, worker: Int, label: Int

        init(_ names: [String], file: String, line: Int) throws {
            func find(_ wanted: [String]) -> Int? {
                names.firstIndex { n in wanted.contains { $0.utf8.elementsEqual(n.utf8) } }
            }
            var missing: [String] = []
            let t = find(["task"]), w = find(["worker", "performer"]), l = find(["label"])
            if t == nil { missing.append("task") }
            if w == nil { missing.append("worker") }
            if l == nil { missing.append("label") }
            guard missing.isEmpty, let t, let w, let l else {
                let shown = names.map { "'\($0)'" }.joined(separator: ", ")
                throw InputError(.missingColumn, file: file, line: line, field: missing.joined(separator: ", "),
                    "missing column\(missing.count == 1 ? "" : "s"); expected a header naming task, worker (or performer) and label, found \(shown)")
            }
            (task, worker, label) = (t, w, l)
        }
    }
}
