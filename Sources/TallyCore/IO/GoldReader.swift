/// Reads gold labels: TSV or CSV with a header naming `task` and `label` (or `true_label`,
/// crowd-kit's name for it); other columns are ignored.
public enum GoldReader {
    /// Reads `path` (`-` for standard input).
    ///
    /// - Throws: ``InputError`` naming the file, line and field of the first problem.
    public static func read(_ path: String, delimiter: UInt8? = nil) throws -> GoldLabels {
        let source = try ByteSource(path: path)
        let file = source.name
        var scanner = DelimitedScanner(source, delimiter: delimiter)
        var header: [String]?
        var ti = 0, li = 0
        var entries: [GoldLabels.Entry] = []
        var seen = Interner()
        try scanner.forEach { fields, line in
            guard let columns = header else {
                let names = fields.map { String(decoding: $0, as: UTF8.self) }
                guard let t = names.firstIndex(of: "task"), let l = names.firstIndex(of: "label") ?? names.firstIndex(of: "true_label") else {
                    let missing = names.contains("task") ? "label" : "task"
                    throw InputError(.missingColumn, file: file, line: line, field: missing,
                        "missing column; expected a header naming task and label (or true_label), found \(names.map { "'\($0)'" }.joined(separator: ", "))")
                }
                (ti, li) = (t, l)
                header = names
                return
            }
            guard fields.count == columns.count else {
                let field = fields.count < columns.count ? columns[fields.count] : "column \(columns.count + 1)"
                throw InputError(.raggedRow, file: file, line: line, field: field, "row has \(fields.count) fields, expected \(columns.count) as in the header")
            }
            for (i, name) in [(ti, "task"), (li, "label")] {
                if fields[i].isEmpty { throw InputError(.emptyField, file: file, line: line, field: name, "empty value; expected a \(name)") }
                if !isValidUTF8(fields[i]) { throw InputError(.invalidUTF8, file: file, line: line, field: name, "invalid UTF-8; expected text in UTF-8") }
            }
            let entry = GoldLabels.Entry(task: String(decoding: fields[ti], as: UTF8.self), label: String(decoding: fields[li], as: UTF8.self))
            let (id, isNew) = seen.intern(fields[ti])
            if isNew {
                entries.append(entry)
            } else if !entries[Int(id)].label.utf8.elementsEqual(entry.label.utf8) {
                throw InputError(.conflictingGold, file: file, line: line, field: "label", "task '\(entry.task)' has two gold labels, '\(entries[Int(id)].label)' and '\(entry.label)'")
            }
        }
        guard header != nil else { throw InputError(.emptyFile, file: file, "the file is empty; expected a header naming task and label") }
        guard !entries.isEmpty else { throw InputError(.noAnswers, file: file, "no rows: the file has a header but no task labels") }
        return try GoldLabels(entries, file: file)
    }
}
