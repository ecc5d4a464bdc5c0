import Foundation

/// The layout of an answers file.
public enum AnswerFormat: String, Sendable, CaseIterable {
    /// Decide from the header: Toloka's export if a column starts with `INPUT:`, `OUTPUT:` or
    /// `ASSIGNMENT:`; JSON Lines if the file starts with `{`; otherwise crowd-kit style.
    case auto
    /// crowd-kit style TSV or CSV: a header naming `task`, `worker` (or `performer`) and `label`.
    case crowdkit
    /// Toloka's web-interface TSV export (`INPUT:*`, `OUTPUT:*`, `GOLDEN:*`, `ASSIGNMENT:*`).
    case toloka
    /// One JSON object per line with `task`, `worker` (or `performer`) and `label` keys.
    case jsonl
    /// An Arrow IPC file (Feather v2) or stream with `task`, `worker` (or `performer`) and `label`
    /// columns, read by memory-mapping it (``ArrowAnswerReader``); `auto` chooses it from the
    /// `.arrow`/`.feather`/`.arrows` extension or the `ARROW1` magic.
    case arrow
}

/// How to read an answers file.
public struct AnswerReadOptions: Sendable {
    /// The layout to read; ``AnswerFormat/auto`` (the default) decides from the file.
    public var format: AnswerFormat = .auto
    /// `\t` or `,`; `nil` sniffs it from the header line.
    public var delimiter: UInt8?
    /// Toloka export: the `OUTPUT:` column that holds the label (needed when there are several).
    public var labelColumn: String?
    /// Toloka export: the column that names a task; by default the `INPUT:` values joined by ` | `.
    public var taskColumn: String?
    /// Toloka export: keep answers of rejected assignments (left out by default).
    public var includeRejected = false
    /// Called now and then with (bytes read, total bytes when known).
    public var progress: (@Sendable (Int, Int?) -> Void)?
    /// Threads and kernels: a large crowd-kit file (16 MiB or more) is read by two threads when
    /// `execution.threads` is 2 or more.
    public var execution = ExecutionSettings()

    /// Options for reading `format`; every other option at its default.
    public init(format: AnswerFormat = .auto) { self.format = format }
}

/// What a reader found in an answers file.
public struct AnswerFile: Sendable {
    /// The answers.
    public let table: AnswerTable
    /// Gold labels the file itself carries (the `GOLDEN:` columns of a Toloka export).
    public let gold: GoldLabels?
    /// The format the file was read as.
    public let format: AnswerFormat
    /// Rows that were read but not used, and why (for example rejected assignments).
    public let skipped: [String: Int]
}

/// Reads answers files in every format Tally knows.
///
///     let file = try AnswerReader.read("answers.tsv")
///     let gold = try GoldReader.read("gold.tsv")
///     let labels: [Int32] = …   // one label id per task id, e.g. from an aggregator's fit
///     print(Evaluation(labels: labels, of: file.table, gold: gold).accuracy)
///     try AtomicFile.write(ResultWriter.labels(file.table, labels, format: .tsv), to: "labels.tsv")
public enum AnswerReader {
    /// Reads `path` (`-` for standard input).
    ///
    /// - Throws: ``InputError`` naming the file, line and field of the first problem.
    public static func read(_ path: String, options: AnswerReadOptions = AnswerReadOptions()) throws -> AnswerFile {
        if options.format == .arrow || (options.format == .auto && isArrow(path)) {
            return try ArrowAnswerReader.read(path, threads: options.execution.threads)
        }
        return try read(try ByteSource(path: path), options: options)
    }

    /// Reads categorical answers from an opened source.
    static func read(_ source: ByteSource, options: AnswerReadOptions) throws -> AnswerFile {
        let path = source.name
        let total = source.totalBytes
        let progress = options.progress.map { p in { (n: Int) in p(n, total) } }
        var format = options.format
        if format == .auto {
            format = try sniffFormat(source, path: path)
        }
        switch format {
        case .crowdkit, .auto:
            return try CrowdKitFormat.read(source, delimiter: options.delimiter, threads: options.execution.threads, progress: progress)
        case .toloka:
            return try TolokaExportFormat.read(source, options: options, progress: progress)
        case .jsonl:
            return try JSONLinesFormat.read(source, progress: progress)
        case .arrow:
            return try ArrowAnswerReader.read(path, threads: options.execution.threads)
        }
    }

    /// Whether `path` names an Arrow file: by extension, or (for a regular file) by its magic.
    static func isArrow(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".arrow") || lower.hasSuffix(".feather") || lower.hasSuffix(".arrows") || lower.hasSuffix(".ipc") { return true }
        // Only a regular file is sniffed: reading a pipe or a device here would take bytes its reader needs.
        guard path != "-", (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
              let head = try? ByteSource(path: path).peek(upTo: 8) else { return false }
        return head.starts(with: Array("ARROW1".utf8))
    }

    /// Decides the format from the file's first bytes, which stay available to the reader.
    static func sniffFormat(_ source: ByteSource, path: String) throws -> AnswerFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        let head = try source.peek(upTo: 64 << 10)
        guard let firstNonSpace = head.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }) else {
            throw InputError(.emptyFile, file: source.name, "the file is empty; expected a header line")
        }
        if firstNonSpace == UInt8(ascii: "{") { return .jsonl }
        let firstLine = head.split(separator: 0x0A, omittingEmptySubsequences: true)
            .first { $0.contains { $0 != 0x0D && $0 != 0x20 && $0 != 0x09 } } ?? []
        let text = String(decoding: firstLine, as: UTF8.self)
        if text.contains("INPUT:") || text.contains("OUTPUT:") || text.contains("ASSIGNMENT:") { return .toloka }
        return .crowdkit
    }
}

extension AnswerTableBuilder {
    /// Interns one name from an input buffer, checking new names as UTF-8.
    @inline(__always)
    static func internChecked(
        _ interner: inout Interner, _ bytes: UnsafeRawBufferPointer, file: String, line: Int, field: String
    ) throws -> Int32 {
        if bytes.isEmpty {
            throw InputError(.emptyField, file: file, line: line, field: field, "empty value; every answer needs a task, a worker and a label")
        }
        let (id, isNew) = interner.intern(bytes)
        if isNew && !isValidUTF8(bytes) {
            throw InputError(.invalidUTF8, file: file, line: line, field: field, "invalid UTF-8; expected text in UTF-8")
        }
        return id
    }
}

/// Whether `bytes` are valid UTF-8 (ASCII checked eight bytes at a time first).
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var i = 0
    let n = bytes.count
    if let base = bytes.baseAddress {
        while i + 8 <= n {
            if base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n && base.load(fromByteOffset: i, as: UInt8.self) < 0x80 { i += 1 }
    }
    if i == n { return true }
    return String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil
}
