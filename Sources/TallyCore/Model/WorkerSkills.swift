/// Known skills (vote weights) of some workers, by name.
public struct WorkerSkills: Sendable {
    /// One worker's skill.
    public struct Entry: Sendable, Equatable {
        /// The worker's name, as in the answers.
        public let worker: String
        /// The worker's skill: a vote weight, for example a share of correct answers in [0, 1].
        public let skill: Double
        /// An entry giving `worker` the skill `skill`.
        public init(worker: String, skill: Double) {
            self.worker = worker
            self.skill = skill
        }
    }

    /// The entries, in the order given.
    public let entries: [Entry]

    /// Skills from entries, kept in order (a worker given twice: the later entry wins in ``aligned(to:)``).
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
        let table = try TableReader.read(path, required: ["skill"], alternatives: [["worker", "performer"]], expecting: "worker and skill")
        let wi = table.column("worker", "performer")!, si = table.column("skill")!
        var entries: [Entry] = []
        for (n, r) in table.rows.enumerated() {
            // `nan` (or an empty cell) is how Tally writes "no measured skill" (e.g. gold-mv for a
            // worker without golden answers): such a worker has no skill here either.
            if r[si].isEmpty || r[si] == "nan" { continue }
            guard let skill = Double(r[si]), skill.isFinite else {
                throw InputError(.invalidValue, file: table.file, line: table.lines[n], field: "skill", "\(ErrorText.quoted(r[si])) is not a number; expected a finite skill such as 0.8")
            }
            guard !r[wi].isEmpty else {
                throw InputError(.emptyField, file: table.file, line: table.lines[n], field: "worker", "empty value; expected a worker name")
            }
            entries.append(Entry(worker: r[wi], skill: skill))
        }
        return WorkerSkills(entries)
    }
}
