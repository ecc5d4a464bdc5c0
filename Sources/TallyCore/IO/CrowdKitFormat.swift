import Foundation

/// crowd-kit style answers: TSV or CSV with a header naming `task`, `worker` and `label`.
///
/// Columns may come in any order; other columns are ignored; `performer` is accepted as the old
/// name of `worker`. Every row must have as many fields as the header.
enum CrowdKitFormat {
    static func read(_ source: ByteSource, delimiter: UInt8?, threads: Int, progress: ((Int) -> Void)?) throws -> AnswerFile {
        let file = source.name
        if let total = source.totalBytes, total >= parallelThreshold, threads >= 2,
           let table = try readInHalves(source, total: total, delimiter: delimiter, progress: progress)
        {
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

    /// Files this large are read by two threads, one half each.
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

    /// Reads a large regular file with two threads: the first half (with the header) and the
    /// second half (from the first line that starts after the middle) each into their own
    /// builder; then the second's names are interned into the first's in their order of first
    /// appearance, so ids come out exactly as a one-thread read gives them.
    ///
    /// Returns `nil` — and the caller reads with one thread — when either half holds a quote
    /// (a quoted field may hide a newline, so the split might fall inside a record).
    static func readInHalves(_ source: ByteSource, total: Int, delimiter: UInt8?, progress: ((Int) -> Void)?) throws -> AnswerTable? {
        let file = source.name
        // The first line after the middle.
        let probe = try ByteSource(path: file, range: total / 2..<total)
        var window = [UInt8](repeating: 0, count: 1 << 16)
        let got = try window.withUnsafeMutableBytes { try probe.read(into: $0.baseAddress!, count: $0.count) }
        guard let newline = window[0..<got].firstIndex(of: 0x0A) else { return nil }
        let split = total / 2 + newline + 1
        guard split < total else { return nil }

        // Read the header alone first, so the second thread knows the columns and delimiter.
        let headerSource = try ByteSource(path: file, range: 0..<split)
        var headerScanner = DelimitedScanner(headerSource, delimiter: delimiter)
        var header: Header?
        while header == nil, try headerScanner.refill() {
            if try headerScanner.next() {
                let names = headerScanner.fields.map { String(decoding: $0, as: UTF8.self) }
                header = (names, try Columns(names, file: file, line: headerScanner.recordLine))
            }
        }
        guard let header, let sniffed = headerScanner.delimiter else { return nil }
        let first = try ByteSource(path: file, range: 0..<split)
        let second = try ByteSource(path: file, range: split..<total)

        final class Half: @unchecked Sendable {
            var builder = AnswerTableBuilder()
            var error: (any Error)?
            var sawQuote = false
            var lines = 0
        }
        let halves = [Half(), Half()]
        halves[0].builder.reserveCapacity(total / 48)
        halves[1].builder.reserveCapacity(total / 48)
        let sources = [first, second]
        let unsafeSources = UncheckedSendable(sources)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let half = halves[part]
            var scanner = DelimitedScanner(unsafeSources.value[part], delimiter: sniffed)
            do {
                _ = try readRecords(&scanner, into: &half.builder, header: part == 0 ? nil : header, file: file)
            } catch {
                half.error = error
            }
            half.sawQuote = scanner.sawQuote
            half.lines = scanner.nextLine - 1
        }
        progress?(total)
        if let error = halves[0].error { throw error }
        if halves[0].sawQuote || halves[1].sawQuote { return nil }
        if let error = halves[1].error {
            if let e = error as? InputError, let line = e.line {
                throw InputError(e.code, file: e.file, line: line + halves[0].lines, field: e.field, e.message)
            }
            throw error
        }
        var merged = halves[0].builder
        try merged.append(halves[1].builder)
        return try merged.build(file: file)
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
