/// Known skills (vote weights) of some workers, by name.
public struct WorkerSkills: Sendable {
    public struct Entry: Sendable, Equatable {
        public let worker: String
        public let skill: Double
        public init(worker: String, skill: Double) {
            self.worker = worker
            self.skill = skill
        }
    }

    public let entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }

    /// Skills from a worker → skill dictionary.
    public init(_ skills: [String: Double]) {
        entries = skills.sorted { LabelSet.scalarOrder($0.key, $1.key) }.map { Entry(worker: $0.key, skill: $0.value) }
    }

    /// Per worker id of `table`: the skill, or `nil` for a worker with none given.
    public func aligned(to table: AnswerTable) -> [Double?] {
        var out = [Double?](repeating: nil, count: table.workerCount)
        for e in entries {
            if let w = table.workers.lookup(e.worker) { out[Int(w)] = e.skill }
        }
        return out
    }
}

extension WorkerSkills {
    /// Reads `worker, skill` TSV or CSV (other columns ignored), e.g. a file `tally aggregate
    /// --skills` wrote.
    public static func read(_ path: String) throws -> WorkerSkills {
        let source = try ByteSource(path: path)
        let file = source.name
        var scanner = DelimitedScanner(source)
        var header: [String]?
        var wi = 0, si = 0
        var entries: [Entry] = []
        try scanner.forEach { fields, line in
            guard let columns = header else {
                let names = fields.map { String(decoding: $0, as: UTF8.self) }
                guard let w = names.firstIndex(of: "worker") ?? names.firstIndex(of: "performer"), let s = names.firstIndex(of: "skill") else {
                    throw InputError(.missingColumn, file: file, line: line, field: names.contains("skill") ? "worker" : "skill",
                        "missing column; expected a header naming worker and skill, found \(names.map { "'\($0)'" }.joined(separator: ", "))")
                }
                (wi, si) = (w, s)
                header = names
                return
            }
            guard fields.count == columns.count else {
                throw InputError(.raggedRow, file: file, line: line, field: fields.count < columns.count ? columns[fields.count] : "column \(columns.count + 1)",
                    "row has \(fields.count) fields, expected \(columns.count) as in the header")
            }
            let text = String(decoding: fields[si], as: UTF8.self)
            guard let skill = Double(text), skill.isFinite else {
                throw InputError(.invalidValue, file: file, line: line, field: "skill", "'\(text)' is not a number; expected a finite skill such as 0.8")
            }
            guard !fields[wi].isEmpty, isValidUTF8(fields[wi]) else {
                throw InputError(.emptyField, file: file, line: line, field: "worker", "expected a worker name in UTF-8")
            }
            entries.append(Entry(worker: String(decoding: fields[wi], as: UTF8.self), skill: skill))
        }
        guard header != nil else { throw InputError(.emptyFile, file: file, "the file is empty; expected a header naming worker and skill") }
        return WorkerSkills(entries)
    }
}
