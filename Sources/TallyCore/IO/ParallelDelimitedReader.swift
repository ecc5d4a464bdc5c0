#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Reads a large crowd-kit TSV or CSV file without quotes on several threads.
///
/// The file is memory-mapped and cut into one chunk per thread at line boundaries. Each thread
/// splits its chunk's lines (each byte classified once, 64 at a time, by ``StopMask``; the
/// splitter walks the set bits: no branch per byte, no `memchr` per field, no field array),
/// hashes each task name into one of 256 buckets (``ChunkKeys``) and interns the worker and label
/// into the chunk's own interners, short names through a front table (``ShortNameTable``: one
/// probe, no hashing of bytes, no reference counting). The task names are then interned partition by partition on all
/// threads (``PartitionedKeys``: small tables that stay in cache), each id the rank of the name's
/// first answer; worker and label names are merged into the first chunk's interners in chunk
/// order. So every id comes out exactly as a one-thread read gives it. Then each chunk, on its
/// own thread, writes its share of the table's columns and scatters its answers into the task
/// view at cursors known from the interning's counts (``assemble(_:file:path:threads:)``).
///
/// Memory: the mapping's pages are handed back to the kernel as each chunk is read (unless a
/// task name longer than 8 bytes is met: those are compared in the file later), so the resident
/// set is the output (the id columns, 12 bytes per answer, and 17 bytes per answer of buckets
/// while the task names are interned) and the names, not the text.
///
/// A quote anywhere in a data line gives up (`nil`): a quoted field may hide a newline, so a
/// chunk boundary might fall inside a record; the one-thread reader then reads the file. Error
/// messages are those of the one-thread reader, with the same file line: each chunk counts its
/// lines and the earliest chunk's first problem is the one reported.
enum ParallelDelimitedReader {
    /// Reads `path` (a regular, uncompressed file of `total` bytes) with `threads` threads
    /// (chunks); `nil` when the file cannot be read this way (a quote, a header the fast path does
    /// not know, no data line), and the caller reads it with one thread.
    static func read(path: String, total: Int, delimiter: UInt8?, threads: Int) throws -> AnswerTable? {
        if tracing { lastPhase = DispatchTime.now().uptimeNanoseconds }
        // The header, through the one-thread scanner (BOM, blank lines, delimiter sniffing).
        let headerSource = try ByteSource(path: path, range: 0..<min(total, 1 << 20))
        var scanner = DelimitedScanner(headerSource, delimiter: delimiter)
        var header: CrowdKitFormat.Header?
        while header == nil, try scanner.refill() {
            if try scanner.next() {
                let names = scanner.fields.map { String(decoding: $0, as: UTF8.self) }
                header = (names, try CrowdKitFormat.Columns(names, file: path, line: scanner.recordLine))
            }
        }
        guard let header, let delim = scanner.delimiter, !scanner.sawQuote, delim != 0,
              delim != UInt8(ascii: " "), delim != UInt8(ascii: "\n"), delim != UInt8(ascii: "\""), delim != UInt8(ascii: "\r")
        else { return nil }
        let headerLine = scanner.recordLine

        let file = try MappedFile(path: path)
        let base = file.base
        // The data start: after the header line (line `headerLine`; lines before it are blank).
        var at = 0
        if total >= 3, base.load(as: UInt8.self) == 0xEF, base.load(fromByteOffset: 1, as: UInt8.self) == 0xBB,
           base.load(fromByteOffset: 2, as: UInt8.self) == 0xBF { at = 3 }
        for _ in 0..<headerLine {
            guard let nl = memchr(base + at, Int32(UInt8(ascii: "\n")), total - at) else { return nil }
            at = UnsafeRawPointer(nl) - base + 1
        }
        let dataStart = at
        // The header must have been read whole from the first MiB.
        guard dataStart < total, dataStart <= min(total, 1 << 20) else { return nil }

        // Chunk boundaries: the first line start at or after each nominal cut.
        // A chunk counts its answers in 32 bits: at most 16 GiB (under 2^32 lines of 6 bytes or more) each.
        let parts = max(1, threads, (total >> 34) + 1)
        var bounds = [dataStart]
        for i in 1..<parts {
            var cut = dataStart + (total - dataStart) / parts * i
            cut = max(cut, bounds.last!)
            if cut > dataStart, let nl = memchr(base + cut - 1, Int32(UInt8(ascii: "\n")), total - cut + 1) {
                cut = UnsafeRawPointer(nl) - base + 1
            } else if cut > dataStart {
                cut = total
            }
            bounds.append(cut)
        }
        bounds.append(total)
        let cuts = bounds

        // Answers are counted in 32 bits per chunk: more chunks for a file of billions of lines.
        let chunks = (0..<parts).map { c in
            Chunk(bytes: cuts[c + 1] - cuts[c], reserve: (cuts[c + 1] - cuts[c]) / 16 + 16)
        }
        let fileBox = UncheckedSendable(file)
        phase("header")
        DispatchQueue.concurrentPerform(iterations: parts) { c in
            chunks[c].parse(fileBox.value, cuts[c]..<cuts[c + 1], header: header, delimiter: delim, file: path)
        }
        phase("parse")
        if chunks.contains(where: \.sawQuote) { return nil }
        // The earliest chunk's error, on its file line.
        var firstLine = headerLine + 1
        for chunk in chunks {
            if let error = chunk.error {
                if let e = error as? InputError, let line = e.line {
                    throw InputError(e.code, file: e.file, line: line + firstLine, field: e.field, e.message)
                }
                throw error
            }
            firstLine += chunk.lines
        }
        return try assemble(chunks, file: file, path: path, threads: max(1, threads))
    }

    /// One chunk's answers: task names hashed into ``ChunkKeys`` buckets (interned later by
    /// ``PartitionedKeys``), workers and labels in the chunk's own interners.
    final class Chunk: @unchecked Sendable {
        var keys: ChunkKeys
        var workers = Interner(capacity: 1024)
        var labels = Interner(capacity: 16)
        /// Worker and label names of at most eight bytes already in `workers` and `labels`.
        var workerFront = ShortNameTable(capacity: 1024)
        var labelFront = ShortNameTable(capacity: 16)
        var worker: [Int32] = []
        var label: [Int32] = []
        var error: (any Error)?
        /// A quote, or a task name longer than ``PartitionedKeys/maxLongKey``: the one-thread reader reads the file.
        var sawQuote = false
        /// Lines in the chunk (newlines, plus one for a last line without one).
        var lines = 0

        /// A chunk of `bytes` bytes whose id columns have room for `reserve` answers.
        init(bytes: Int, reserve: Int) {
            keys = ChunkKeys(expected: bytes / 16)
            worker.reserveCapacity(reserve)
            label.reserveCapacity(reserve)
        }

        deinit {
            keys.deallocate()
            workerFront.deallocate()
            labelFront.deallocate()
        }

        /// The id of the worker or label name at `a ..< b`: from `front` when the name is short
        /// and known (inlined: one load of the window's bytes and one probe), else ``slowIntern``.
        @inline(__always)
        static func intern(_ interner: inout Interner, _ front: inout ShortNameTable, _ base: UnsafeRawPointer, size: Int,
                           from a: Int, to b: Int, file: String, line: Int, names: [String], column: Int) throws -> Int32 {
            let length = b - a
            if length > 0 && length <= 8 && a + 8 <= size {
                let full = base.loadUnaligned(fromByteOffset: a, as: UInt64.self)
                let word = length == 8 ? full : full & ((1 << UInt64(8 * length)) &- 1)
                if let id = front.lookup(word: word, length: length) { return id }
            }
            return try slowIntern(&interner, &front, base, size: size, from: a, to: b, file: file, line: line, names: names, column: column)
        }

        /// A name not in `front`: interned (checked) and, when short, added to `front`.
        @inline(never)
        static func slowIntern(_ interner: inout Interner, _ front: inout ShortNameTable, _ base: UnsafeRawPointer, size: Int,
                               from a: Int, to b: Int, file: String, line: Int, names: [String], column: Int) throws -> Int32 {
            let length = b - a
            let id = try intern(&interner, base, size: size, from: a, to: b, file: file, line: line, field: names[column])
            if length > 0 && length <= 8 {
                let word = Interner.shortWord(base, size: size, offset: a, count: length)
                if front.lookup(word: word, length: length) == nil { front.insert(word: word, length: length, id: id) }
            }
            return id
        }

        /// Interns a worker or label name (checked: not empty, UTF-8 when new), its first
        /// eight bytes read with one load.
        @inline(__always)
        static func intern(_ interner: inout Interner, _ base: UnsafeRawPointer, size: Int, from a: Int, to b: Int,
                           file: String, line: Int, field: String) throws -> Int32 {
            let key = UnsafeRawBufferPointer(start: base + a, count: b - a)
            if key.isEmpty {
                throw InputError(.emptyField, file: file, line: line, field: field, "empty value; every answer needs a task, a worker and a label")
            }
            let (id, isNew) = interner.intern(key, word: Interner.shortWord(base, size: size, offset: a, count: b - a))
            if isNew && !isValidUTF8(key) {
                throw InputError(.invalidUTF8, file: file, line: line, field: field, "invalid UTF-8; expected text in UTF-8")
            }
            return id
        }

        /// Reads the lines of `range`; line numbers in errors are 0-based within the chunk.
        func parse(_ file: MappedFile, _ range: Range<Int>, header: CrowdKitFormat.Header, delimiter: UInt8, file path: String) {
            let names = header.names, cols = header.columns
            let n = names.count
            let base = file.base
            // Field starts of the current line (one more slot to detect too many fields).
            let starts = UnsafeMutablePointer<Int>.allocate(capacity: n + 2)
            defer { starts.deallocate() }
            let tab = delimiter, nl = UInt8(ascii: "\n")
            let stops = StopMask(delimiter: delimiter)
            var p = range.lowerBound
            let end = range.upperBound
            var line = 0
            var released = range.lowerBound
            var longKeys = false
            let size = file.count
            // The 64-byte window of the file being split, and its stops not yet walked.
            var window = p
            var mask = stops.window(base, at: window, size: size)
            // Locals while reading (no exclusivity checks on the class's properties per answer).
            var keys = self.keys, workers = self.workers, labels = self.labels, worker = self.worker, label = self.label
            var workerFront = self.workerFront, labelFront = self.labelFront
            self.worker = []
            self.label = []
            defer {
                keys.finish()
                self.keys = keys
                self.workers = workers
                self.labels = labels
                self.worker = worker
                self.label = label
                self.workerFront = workerFront
                self.labelFront = labelFront
            }
            do {
                while p < end {
                    // The line's delimiters and its end: the set bits of the stop mask, in order.
                    var nf = 1
                    starts[0] = p
                    var recordEnd = end
                    while true {
                        if mask == 0 {
                            window += 64
                            if window >= end { break }
                            mask = stops.window(base, at: window, size: size)
                            continue
                        }
                        let at = window + mask.trailingZeroBitCount
                        mask &= mask &- 1
                        let c = base.load(fromByteOffset: at, as: UInt8.self)
                        if c == tab {
                            if nf <= n { starts[nf] = at + 1 }
                            nf += 1
                        } else if c == nl {
                            recordEnd = at
                            break
                        } else {
                            sawQuote = true
                            return
                        }
                    }
                    let next = recordEnd < end ? recordEnd + 1 : end
                    var lineEnd = recordEnd
                    if lineEnd > p && base.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == UInt8(ascii: "\r") { lineEnd -= 1 }
                    let thisLine = line
                    line += 1
                    p = next
                    if nf == 1 {
                        // A line of nothing but spaces is blank (as in the one-thread reader).
                        var b = starts[0]
                        while b < lineEnd && base.load(fromByteOffset: b, as: UInt8.self) == UInt8(ascii: " ") { b += 1 }
                        if b == lineEnd { continue }
                    }
                    guard nf == n else {
                        let field = nf < n ? names[nf] : "column \(n + 1)"
                        throw InputError(.raggedRow, file: path, line: thisLine, field: field, "row has \(nf) field\(nf == 1 ? "" : "s"), expected \(n) as in the header")
                    }
                    starts[n] = lineEnd + 1
                    @inline(__always) func field(_ k: Int) -> UnsafeRawBufferPointer {
                        UnsafeRawBufferPointer(start: base + starts[k], count: starts[k + 1] - 1 - starts[k])
                    }
                    let task = field(cols.task)
                    if task.isEmpty {
                        throw InputError(.emptyField, file: path, line: thisLine, field: names[cols.task], "empty value; every answer needs a task, a worker and a label")
                    }
                    if task.count > PartitionedKeys.maxLongKey {
                        sawQuote = true
                        return
                    }
                    // Every occurrence is checked (the first one of a bad name is its first).
                    let taskWord = Interner.shortWord(base, size: size, offset: starts[cols.task], count: task.count)
                    let ascii = task.count <= 8 ? taskWord & 0x8080_8080_8080_8080 == 0 : ParallelDelimitedReader.isASCII(task)
                    if !ascii && !isValidUTF8(task) {
                        throw InputError(.invalidUTF8, file: path, line: thisLine, field: names[cols.task], "invalid UTF-8; expected text in UTF-8")
                    }
                    if task.count > 8 { longKeys = true }
                    keys.append(base, offset: starts[cols.task], count: task.count, word: taskWord)
                    worker.append(try Self.intern(&workers, &workerFront, base, size: size, from: starts[cols.worker], to: starts[cols.worker + 1] - 1,
                                                  file: path, line: thisLine, names: names, column: cols.worker))
                    label.append(try Self.intern(&labels, &labelFront, base, size: size, from: starts[cols.label], to: starts[cols.label + 1] - 1,
                                                 file: path, line: thisLine, names: names, column: cols.label))
                    // Long task names are compared in the file later: keep its pages mapped then.
                    if !longKeys && p - released >= 8 << 20 {
                        file.release(released..<p)
                        released = p
                    }
                }
                if !longKeys { file.release(released..<end) }
            } catch {
                self.error = error
            }
            lines = line
        }
    }

    /// Whether `bytes` are all ASCII (eight at a time).
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let b = bytes.baseAddress!, n = bytes.count
        var acc: UInt64 = 0
        var i = 0
        while i + 8 <= n {
            acc |= b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n {
            acc |= UInt64(b.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// With `TALLY_READ_PHASES` set in the environment, ``phase(_:)`` writes each phase's wall
    /// time and the process's CPU time so far to standard error (for `Benchmarks/compare-read.sh`
    /// and profiling; the timestamps are shared, so it is meant for one read at a time).
    static let tracing = getenv("TALLY_READ_PHASES") != nil
    /// When the last phase ended (only read and written by the reading thread, and only when tracing).
    nonisolated(unsafe) static var lastPhase: UInt64 = 0

    /// Marks the end of phase `name` (see ``tracing``).
    static func phase(_ name: String) {
        guard tracing else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        var text = "read phase \(name): \(Double(now &- lastPhase) / 1e6) ms wall; process CPU so far \(cpu) s\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        lastPhase = now
    }

    /// Local id → id in `global` for every name of `local`: looked up on `threads` threads
    /// (`global` is only read), then the names not found added in their local order.
    static func remap(_ local: Interner, into global: inout Interner, threads: Int) -> [Int32] {
        let count = local.count
        var map = [Int32](repeating: -1, count: count)
        let parts = count >= 1 << 16 ? max(1, threads) : 1
        let g = global
        final class Sinks: @unchecked Sendable { var values: [UInt64] = [] }
        let sinks = Sinks()
        sinks.values = Array(repeating: 0, count: parts)
        map.withUnsafeMutableBufferPointer { m in
            let out = UncheckedSendable(m.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let lo = count * part / parts, hi = count * (part + 1) / parts
                var probes: [Interner.Probe] = []
                var sink: UInt64 = 0
                local.forEachBatch(256, from: lo, to: hi) { first, keys in
                    sink &+= g.prefetch(keys, into: &probes)
                    for (i, key) in keys.enumerated() { out.value[first + i] = g.lookup(key, probe: probes[i]) ?? -1 }
                }
                sinks.values[part] = sink  // keeps the touching loads alive
            }
        }
        for id in 0..<count where map[id] < 0 {
            map[id] = local.withBytes(Int32(id)) { global.intern($0).id }
        }
        return map
    }
}
