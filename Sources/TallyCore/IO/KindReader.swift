/// Reads the rows of a pairwise, numeric, multi-label or text answers file (crowd-kit layout or
/// Toloka export) into the kind's builder, one record at a time.
struct KindReader {
    let kind: AnswerType
    let file: String
    let toloka: Bool
    let options: AnswerReadOptions
    private(set) var skipped: [String: Int] = [:]

    private var names: [String]?
    private var columns = Columns()
    private var pairwise = PairwiseAnswersBuilder()
    private var numeric = TaskValueBuilder<NumericAnswers>()
    private var multi = MultiLabelAnswersBuilder()
    private var text = TaskValueBuilder<TextAnswers>()

    /// Positions of the columns a kind reads.
    struct Columns {
        var task: [Int] = []
        var taskField = "task"
        var worker = 0
        var value = 0
        var left = 0, right = 0
        var status: Int?
    }

    init(kind: AnswerType, file: String, toloka: Bool, options: AnswerReadOptions) {
        self.kind = kind
        self.file = file
        self.toloka = toloka
        self.options = options
    }

    mutating func row(_ fields: [UnsafeRawBufferPointer], line: Int) throws {
        guard let names else {
            let header = fields.map { String(decoding: $0, as: UTF8.self) }
            columns = toloka ? try tolokaColumns(header, line: line) : try crowdKitColumns(header, line: line)
            self.names = header
            return
        }
        guard fields.count == names.count else {
            let field = fields.count < names.count ? names[fields.count] : "column \(names.count + 1)"
            throw InputError(.raggedRow, file: file, line: line, field: field, "row has \(fields.count) field\(fields.count == 1 ? "" : "s"), expected \(names.count) as in the header")
        }
        if let s = columns.status, TolokaExportFormat.leavesOut(status: fields[s], options: options, counting: &skipped) {
            return
        }
        let valueField = names[columns.value]
        switch kind {
        case .pairwise:
            let w = try AnswerTableBuilder.internChecked(&pairwise.workers, fields[columns.worker], file: file, line: line, field: names[columns.worker])
            let l = try AnswerTableBuilder.internChecked(&pairwise.items, fields[columns.left], file: file, line: line, field: names[columns.left])
            let r = try AnswerTableBuilder.internChecked(&pairwise.items, fields[columns.right], file: file, line: line, field: names[columns.right])
            let label = fields[columns.value]
            let winner: Int32
            if let x = pairwise.items.lookup(label) {
                winner = x
            } else if toloka, label.elementsEqual("left".utf8) {
                winner = l
            } else if toloka, label.elementsEqual("right".utf8) {
                winner = r
            } else {
                guard isValidUTF8(label) else {
                    throw InputError(.invalidUTF8, file: file, line: line, field: valueField, "invalid UTF-8; expected text in UTF-8")
                }
                let name = String(decoding: label, as: UTF8.self)
                throw InputError(label.isEmpty ? .emptyField : .invalidValue, file: file, line: line, field: valueField,
                    label.isEmpty ? "empty value; every comparison names its winner" :
                    "winner \(ErrorText.quoted(name)) is neither the left item \(ErrorText.quoted(pairwise.items.name(l))) nor the right item \(ErrorText.quoted(pairwise.items.name(r)))")
            }
            try pairwise.append(worker: w, left: l, right: r, winner: winner, file: file, line: line,
                                fields: (names[columns.left], names[columns.right], valueField))
        case .numeric:
            let t = try Self.task(fields, columns, file: file, line: line, into: &numeric.tasks)
            let w = try AnswerTableBuilder.internChecked(&numeric.workers, fields[columns.worker], file: file, line: line, field: names[columns.worker])
            numeric.append(task: t, worker: w, value: try number(fields[columns.value], line: line, field: valueField))
        case .text:
            let t = try Self.task(fields, columns, file: file, line: line, into: &text.tasks)
            let w = try AnswerTableBuilder.internChecked(&text.workers, fields[columns.worker], file: file, line: line, field: names[columns.worker])
            let value = try utf8Text(fields[columns.value], line: line, field: valueField, invalid: "invalid UTF-8 in the text; expected a transcription in UTF-8")
            text.append(task: t, worker: w, value: value)
        case .multiLabel:
            let t = try Self.task(fields, columns, file: file, line: line, into: &multi.tasks)
            let w = try AnswerTableBuilder.internChecked(&multi.workers, fields[columns.worker], file: file, line: line, field: names[columns.worker])
            let value = try utf8Text(fields[columns.value], line: line, field: valueField, invalid: "invalid UTF-8; expected text in UTF-8").trimmingSpaces
            if value.hasPrefix("[") {
                guard let items = LabelListParser.parse(value) else {
                    throw InputError(.invalidValue, file: file, line: line, field: valueField,
                        "\(ErrorText.quoted(value)) is not a list of labels; expected one like [\"a\", \"b\"] or ['a', 'b']")
                }
                multi.append(task: t, worker: w, labels: items.map { multi.rawLabels.intern($0) })
            } else {
                guard !value.isEmpty else {
                    throw InputError(.emptyField, file: file, line: line, field: valueField, "empty value; expected a label, or a list of labels such as [\"a\", \"b\"]")
                }
                multi.appendTag(task: t, worker: w, label: multi.rawLabels.intern(value))
            }
        case .categorical:
            preconditionFailure("categorical answers are read by AnswerReader.read")
        }
    }

    /// The answers read; throws when no row held one.
    consuming func finish() throws -> Answers {
        guard names != nil else {
            throw InputError(.emptyFile, file: file, "the file is empty; expected a header line")
        }
        if !skipped.isEmpty && count == 0 {
            let what = skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            throw InputError(.noAnswers, file: file, "no answers left: every row was left out (\(what))")
        }
        switch kind {
        case .pairwise: return .pairwise(try pairwise.build(file: file))
        case .numeric: return .numeric(try numeric.build(file: file))
        case .multiLabel: return .multiLabel(try multi.build(file: file))
        case .text: return .text(try text.build(file: file))
        case .categorical: preconditionFailure("categorical answers are read by AnswerReader.read")
        }
    }

    private var count: Int {
        switch kind {
        case .pairwise: return pairwise.count
        case .numeric, .text, .multiLabel, .categorical: return 1  // only pairwise needs the count before build
        }
    }

    /// Interns the task of a row: its column, or the Toloka `INPUT:` values joined by ` | `.
    private static func task(_ fields: [UnsafeRawBufferPointer], _ columns: Columns, file: String, line: Int, into interner: inout Interner) throws -> Int32 {
        if columns.task.count == 1 {
            return try AnswerTableBuilder.internChecked(&interner, fields[columns.task[0]], file: file, line: line, field: columns.taskField)
        }
        var key: [UInt8] = []
        TolokaExportFormat.taskKey(fields, columns: columns.task, into: &key)
        let field = columns.taskField
        return try key.withUnsafeBytes { try AnswerTableBuilder.internChecked(&interner, $0, file: file, line: line, field: field) }
    }

    /// A cell as text; `message` is the error when it is not valid UTF-8.
    private func utf8Text(_ bytes: UnsafeRawBufferPointer, line: Int, field: String, invalid message: String) throws -> String {
        guard isValidUTF8(bytes) else { throw InputError(.invalidUTF8, file: file, line: line, field: field, message) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A finite number (ASCII spaces around it allowed).
    private func number(_ bytes: UnsafeRawBufferPointer, line: Int, field: String) throws -> Double {
        let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard let v = Double(text), v.isFinite, !text.isEmpty else {
            throw InputError(text.isEmpty ? .emptyField : .invalidValue, file: file, line: line, field: field,
                text.isEmpty ? "empty value; expected a number" : "\(ErrorText.quoted(text)) is not a number; expected a finite number such as 42 or -3.5")
        }
        return v
    }

    private func crowdKitColumns(_ header: [String], line: Int) throws -> Columns {
        try HeaderCheck.requireUniqueNames(header, file: file, line: line)
        func find(_ wanted: String...) -> Int? { header.firstIndex { n in wanted.contains { $0.utf8.elementsEqual(n.utf8) } } }
        let isPairwise = find("left") != nil && find("right") != nil && find("task") == nil
        var c = Columns()
        var missing: [String] = []
        let expected: String
        switch kind {
        case .pairwise:
            expected = "worker (or performer), left, right and label (the winner)"
            if let l = find("left") { c.left = l } else { missing.append("left") }
            if let r = find("right") { c.right = r } else { missing.append("right") }
            if let v = find("label") { c.value = v } else { missing.append("label") }
        case .numeric:
            expected = "task, worker (or performer) and value (or label) holding numbers"
            if let v = find("value", "label") { c.value = v } else { missing.append("value") }
        case .text:
            expected = "task, worker (or performer) and text (or label)"
            if let v = find("text", "label") { c.value = v } else { missing.append("text") }
        case .multiLabel:
            expected = "task, worker (or performer) and label (a list, or one row per tag)"
            if let v = find("label", "labels") { c.value = v } else { missing.append("label") }
        case .categorical:
            preconditionFailure("categorical answers are read by AnswerReader.read")
        }
        if kind != .pairwise {
            if let t = find("task") { c.task = [t]; c.taskField = header[t] } else { missing.append("task") }
        }
        if let w = find("worker", "performer") { c.worker = w } else { missing.append("worker") }
        if !missing.isEmpty {
            var hint = ""
            if kind != .pairwise && isPairwise { hint = "; the file holds pairwise comparisons (worker, left, right, label): read it with --answer-type pairwise" }
            if kind == .pairwise && find("task") != nil { hint = "; the file holds answers per task, not comparisons: read it with --answer-type categorical, numeric, multi-label or text" }
            throw InputError(.missingColumn, file: file, line: line, field: missing.joined(separator: ", "),
                "missing column\(missing.count == 1 ? "" : "s") for \(kind.rawValue) answers; expected a header naming \(expected), \(HeaderCheck.found(header))\(hint)")
        }
        return c
    }

    private func tolokaColumns(_ header: [String], line: Int) throws -> Columns {
        let layout = try TolokaExportFormat.Layout(header, options: options, file: file, line: line)
        var c = Columns()
        c.worker = layout.worker
        c.status = layout.status
        c.value = layout.label
        c.task = layout.task
        c.taskField = layout.taskField
        if kind == .pairwise {
            func index(_ name: String) -> Int? { header.firstIndex { $0.utf8.elementsEqual(name.utf8) } }
            guard let l = index("INPUT:left"), let r = index("INPUT:right") else {
                throw InputError(.missingColumn, file: file, line: line, field: "INPUT:left, INPUT:right",
                    "a Toloka export of comparisons names its items in INPUT:left and INPUT:right, \(HeaderCheck.found(header))")
            }
            c.left = l
            c.right = r
        }
        return c
    }
}

/// Parses a list of labels written as JSON (`["a", "b"]`, `[1, 2]`) or as Python's repr
/// (`['a', 'b']`, as pandas writes a list column to CSV).
enum LabelListParser {
    /// The labels of `text`, or nil when it is not such a list.
    static func parse(_ text: String) -> [String]? {
        let s = Array(text.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
        guard i < s.count, s[i] == "[" else { return nil }
        i += 1
        var items: [String] = []
        skipSpaces()
        if i < s.count, s[i] == "]" {
            i += 1
            skipSpaces()
            return i == s.count ? [] : nil
        }
        while true {
            skipSpaces()
            guard i < s.count else { return nil }
            var item = String.UnicodeScalarView()
            if s[i] == "\"" || s[i] == "'" {
                let quote = s[i]
                i += 1
                var closed = false
                while i < s.count {
                    let c = s[i]
                    if c == quote { closed = true; i += 1; break }
                    if c == "\\" {
                        guard i + 1 < s.count else { return nil }
                        let e = s[i + 1]
                        i += 2
                        switch e {
                        case "n": item.append("\n")
                        case "t": item.append("\t")
                        case "r": item.append("\r")
                        case "u":
                            guard i + 4 <= s.count, let code = UInt32(String(String.UnicodeScalarView(s[i..<i + 4])), radix: 16),
                                  let scalar = Unicode.Scalar(code) else { return nil }
                            item.append(scalar)
                            i += 4
                        default: item.append(e)
                        }
                        continue
                    }
                    item.append(c)
                    i += 1
                }
                guard closed else { return nil }
            } else {
                while i < s.count, s[i] != ",", s[i] != "]" { item.append(s[i]); i += 1 }
                let bare = String(item).trimmingSpaces
                guard !bare.isEmpty else { return nil }
                item = bare.unicodeScalars
            }
            items.append(String(item))
            skipSpaces()
            guard i < s.count else { return nil }
            if s[i] == "," { i += 1; continue }
            if s[i] == "]" {
                i += 1
                skipSpaces()
                return i == s.count ? items : nil
            }
            return nil
        }
    }
}
