/// What a reader found in an answers file of any kind.
public struct AnswersFile: Sendable {
    /// The answers, of the kind asked for (or detected).
    public let answers: Answers
    /// Gold labels the file itself carries (categorical Toloka exports only).
    public let gold: GoldLabels?
    /// The format the file was read as.
    public let format: AnswerFormat
    /// Rows that were read but not used, and why (for example rejected assignments).
    public let skipped: [String: Int]
}

extension AnswerReader {
    /// Reads `path` (`-` for standard input) as answers of kind `type`; `nil` detects it:
    /// pairwise when a crowd-kit header names `left`, `right` and `label` but no `task`,
    /// categorical otherwise (numeric, multi-label and text files look like categorical ones, so
    /// those kinds must be asked for).
    ///
    /// Layouts, crowd-kit style (TSV or CSV, columns in any order, `performer` for `worker`):
    /// - pairwise: `worker, left, right, label` (the label names the winner);
    /// - numeric: `task, worker` and `value` (or `label`) holding a number;
    /// - multi-label: `task, worker, label` holding a list (`["a", "b"]` or `['a', 'b']`), or one
    ///   row per selected tag (rows of one task and worker make one answer);
    /// - text: `task, worker` and `text` (or `label`).
    ///
    /// From a Toloka export the `OUTPUT:` column holds the number, the JSON list or the string;
    /// for comparisons `INPUT:left` and `INPUT:right` name the items and the output names the
    /// winner (an item, or `left` / `right`). JSON Lines holds categorical answers only.
    ///
    /// - Throws: ``InputError`` naming the file, line and field of the first problem: a value
    ///   that is not a number, a comparison naming one item twice, text that is not UTF-8, or a
    ///   file whose columns belong to another kind.
    public static func read(_ path: String, as type: AnswerType?, options: AnswerReadOptions = AnswerReadOptions()) throws -> AnswersFile {
        if options.format == .arrow || (options.format == .auto && isArrow(path)) {
            guard type == nil || type == .categorical else {
                throw InputError(.invalidValue, file: path, line: 0, field: "answer-type",
                                 "Arrow files hold categorical answers (task, worker, label); \(type!.rawValue) answers are read from TSV, CSV or a Toloka export")
            }
            let file = try ArrowAnswerReader.read(path, threads: options.execution.threads)
            return AnswersFile(answers: .categorical(file.table), gold: file.gold, format: file.format, skipped: file.skipped)
        }
        let source = try ByteSource(path: path)
        var format = options.format
        if format == .auto { format = try sniffFormat(source, path: path) }
        let header = format == .crowdkit ? try headerNames(source, delimiter: options.delimiter) : []
        let looksPairwise = ["left", "right", "label"].allSatisfy(header.contains) && !header.contains("task")
        let kind = type ?? (looksPairwise ? .pairwise : .categorical)
        if kind == .categorical {
            if looksPairwise {
                throw InputError(.missingColumn, file: source.name, line: 1, field: "task",
                    "the file holds pairwise comparisons (worker, left, right, label), not categorical answers; read it with --answer-type pairwise")
            }
            var o = options
            o.format = format
            let file = try read(source, options: o)
            return AnswersFile(answers: .categorical(file.table), gold: file.gold, format: file.format, skipped: file.skipped)
        }
        if format == .jsonl {
            throw InputError(.invalidValue, file: source.name, "JSON Lines files hold categorical answers only; give \(kind.rawValue) answers as TSV, CSV or a Toloka export")
        }
        let total = source.totalBytes
        let progress = options.progress.map { p in { (n: Int) in p(n, total) } }
        var scanner = DelimitedScanner(source, delimiter: options.delimiter ?? (format == .toloka ? UInt8(ascii: "\t") : nil), progress: progress)
        var reader = KindReader(kind: kind, file: source.name, toloka: format == .toloka, options: options)
        try scanner.forEach { fields, line in try reader.row(fields, line: line) }
        return AnswersFile(answers: try reader.finish(), gold: nil, format: format, skipped: reader.skipped)
    }

    /// The header's column names (the first non-blank line, split on the delimiter, quotes removed).
    static func headerNames(_ source: ByteSource, delimiter: UInt8?) throws -> [String] {
        let head = try source.peek(upTo: 64 << 10)
        guard let line = head.split(separator: 0x0A, omittingEmptySubsequences: true).first(where: { $0.contains { $0 != 0x0D && $0 != 0x20 && $0 != 0x09 } }) else { return [] }
        var bytes = Array(line)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.last == 0x0D { bytes.removeLast() }
        let d = delimiter ?? bytes.withUnsafeBytes { DelimitedScanner.sniff($0) }
        return bytes.split(separator: d, omittingEmptySubsequences: false).map {
            String(decoding: $0.filter { $0 != 0x22 }, as: UTF8.self).trimmingSpaces
        }
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
