import Foundation

/// crowd-kit style answers: TSV or CSV with a header naming `task`, `worker` and `label`.
///
/// Columns may come in any order; other columns are ignored; `performer` is accepted as the old
/// name of `worker`. Every row must have as many fields as the header.
enum CrowdKitFormat {
    static func read(_ source: ByteSource, delimiter: UInt8?, threads: Int, progress: ((Int) -> Void)?) throws -> AnswerFile {
        let file = source.name
        if let total = source.totalBytes, total >= parallelThreshold, threads >= 2,
           let table = try ParallelDelimitedReader.read(path: file, total: total, delimiter: delimiter, threads: threads)
        {
            progress?(total)
            return AnswerFile(table: table, gold: nil, format: .crowdkit, skipped: [:])
        }
        var scanner = DelimitedScanner(source, delimiter: delimiter, progress: progress)
        var builder = AnswerTableBuilder()
        if let total = source.totalBytes { builder.reserveCapacity(total / 24) }
        let header = try readRecords(&scanner, into: &builder, header: nil, file: file)
        guard header != nil else {
            throw InputError(.emptyFile, file: file, "the file is empty; expected a header naming task, worker and label")
        }
        return AnswerFile(table: try builder.build(file: file), gold: nil, format: .crowdkit, skipped: [:])
    }

    /// Files this large are read on several threads (``ParallelDelimitedReader``), one chunk each.
    static let parallelThreshold = 16 << 20

    /// The header's names and the positions of the required columns.
    typealias Header = (names: [String], columns: Columns)

    /// Reads records from `scanner` into `builder`; the first record is the header unless one is
    /// given. Returns the header (nil for an empty input).
    ///
    /// Answers are interned in batches: the task table of a large file is far bigger than the
    /// cache, and hashing a batch and touching its slots first lets the misses overlap. A plain
    /// loop (no closure per record) keeps Swift's exclusivity checks static. Errors found while
    /// splitting (a ragged row, an unterminated quote) come after the batched answers in the
    /// file, so those are interned first and the earliest problem is the one reported.
    static func readRecords(_ scanner: inout DelimitedScanner, into builder: inout AnswerTableBuilder, header given: Header?, file: String) throws -> Header? {
        var columns: [String]? = given?.names
        var cols = given?.columns ?? Columns(task: 0, worker: 0, label: 0)
        if let given { scanner.columnNames = given.names }
        var batch = Batch()
        while true {
            do {
                guard try scanner.refill() else { break }
            } catch {
                try batch.failing(error, into: &builder, columns: cols, names: columns, file: file)
            }
            while true {
                do {
                    guard try scanner.next() else { break }
                } catch {
                    try batch.failing(error, into: &builder, columns: cols, names: columns, file: file)
                }
                let fields = scanner.fields, line = scanner.recordLine
                guard let names = columns else {
                    let header = fields.map { String(decoding: $0, as: UTF8.self) }
                    cols = try Columns(header, file: file, line: line)
                    columns = header
                    scanner.columnNames = header
                    continue
                }
                guard fields.count == names.count else {
                    let field = fields.count < names.count ? names[fields.count] : "column \(names.count + 1)"
                    try batch.failing(InputError(.raggedRow, file: file, line: line, field: field, "row has \(fields.count) field\(fields.count == 1 ? "" : "s"), expected \(names.count) as in the header"), into: &builder, columns: cols, names: columns, file: file)
                }
                batch.tasks.append(fields[cols.task])
                batch.workers.append(fields[cols.worker])
                batch.labels.append(fields[cols.label])
                batch.lines.append(line)
                if batch.lines.count == Batch.size { try batch.flush(into: &builder, columns: cols, names: names, file: file) }
            }
            // The field buffers are about to move: intern what is pending first.
            if let names = columns { try batch.flush(into: &builder, columns: cols, names: names, file: file) }
        }
        if batch.sink == 0x5EED_5EED { builder.reserveCapacity(0) }  // keeps the touching loads alive
        return columns.map { ($0, cols) }
    }

    /// Field buffers of up to ``size`` answers, valid until the scanner's next refill.
    struct Batch {
        static let size = 256
        var tasks: [UnsafeRawBufferPointer] = [], workers: [UnsafeRawBufferPointer] = [], labels: [UnsafeRawBufferPointer] = []
        var lines: [Int] = []
        var probes: [Interner.Probe] = []
        var sink: UInt64 = 0

        init() {
            tasks.reserveCapacity(Self.size)
            workers.reserveCapacity(Self.size)
            labels.reserveCapacity(Self.size)
            lines.reserveCapacity(Self.size)
            probes.reserveCapacity(Self.size)
        }

        /// Interns the pending answers (reporting their problems first, as they come earlier in
        /// the file), then throws `error`.
        mutating func failing(_ error: any Error, into builder: inout AnswerTableBuilder, columns cols: Columns, names: [String]?, file: String) throws -> Never {
            if let names { try flush(into: &builder, columns: cols, names: names, file: file) }
            throw error
        }

        /// Interns the pending answers into `builder` and empties the batch.
        mutating func flush(into builder: inout AnswerTableBuilder, columns cols: Columns, names: [String], file: String) throws {
            guard !lines.isEmpty else { return }
            sink &+= builder.tasks.prefetch(tasks, into: &probes)
            for i in lines.indices {
                let line = lines[i]
                let task = tasks[i]
                if task.isEmpty {
                    throw InputError(.emptyField, file: file, line: line, field: names[cols.task], "empty value; every answer needs a task, a worker and a label")
                }
                let (t, isNew) = builder.tasks.intern(task, probe: probes[i])
                if isNew && !isValidUTF8(task) {
                    throw InputError(.invalidUTF8, file: file, line: line, field: names[cols.task], "invalid UTF-8; expected text in UTF-8")
                }
                let w = try AnswerTableBuilder.internChecked(&builder.workers, workers[i], file: file, line: line, field: names[cols.worker])
                let l = try AnswerTableBuilder.internChecked(&builder.rawLabels, labels[i], file: file, line: line, field: names[cols.label])
                builder.append(task: t, worker: w, label: l)
            }
            tasks.removeAll(keepingCapacity: true)
            workers.removeAll(keepingCapacity: true)
            labels.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
        }
    }

    /// Positions of the required columns in a header.
    struct Columns {
        let task: Int, worker: Int, label: Int

        init(task: Int, worker: Int, label: Int) {
            (self.task, self.worker, self.label) = (task, worker, label)
        }

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
                throw InputError(.missingColumn, file: file, line: line, field: missing.joined(separator: ", "),
                    "missing column\(missing.count == 1 ? "" : "s"); expected a header naming task, worker (or performer) and label, \(HeaderCheck.found(names))")
            }
            try HeaderCheck.requireUniqueNames(names, file: file, line: line)
            (task, worker, label) = (t, w, l)
        }
    }
}

/// A value handed to worker threads that the code guarantees is used safely (each thread touches
/// only its own element).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
