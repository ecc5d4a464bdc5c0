/// Reads gold labels: TSV or CSV with a header naming `task` and `label` (or `true_label`,
/// crowd-kit's name for it); other columns are ignored.
public enum GoldReader {
    /// Reads `path` (`-` for standard input).
    ///
    /// - Parameter kind: what the file holds, for error messages: gold (the default) or
    ///   ``GoldLabels/Kind/predicted`` labels read back for scoring.
    /// - Throws: ``InputError`` naming the file, line and field of the first problem.
    public static func read(_ path: String, delimiter: UInt8? = nil, kind: GoldLabels.Kind = .gold) throws -> GoldLabels {
        let table = try TableReader.read(path, required: ["task"], alternatives: [["label", "true_label"]],
                                         expecting: "task and label (or true_label)", delimiter: delimiter)
        let ti = table.column("task")!, li = table.column("label", "true_label")!
        guard !table.rows.isEmpty else { throw InputError(.noAnswers, file: table.file, "no rows: the file has a header but no task labels") }
        var entries: [GoldLabels.Entry] = []
        var seen = Interner(capacity: table.rows.count)
        for (n, r) in table.rows.enumerated() {
            let line = table.lines[n]
            for (i, name) in [(ti, "task"), (li, "label")] where r[i].isEmpty {
                throw InputError(.emptyField, file: table.file, line: line, field: name, "empty value; expected a \(name)")
            }
            let entry = GoldLabels.Entry(task: r[ti], label: r[li])
            let before = seen.count
            let id = Int(seen.intern(entry.task))
            if seen.count > before {
                entries.append(entry)
            } else if !entries[id].label.utf8.elementsEqual(entry.label.utf8) {
                throw InputError(.conflictingGold, file: table.file, line: line, field: "label", GoldLabels.conflict(task: entry.task, entry.label, entries[id].label, kind: kind))
            }
        }
        return try GoldLabels(entries, file: table.file, kind: kind)
    }
}
