#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a TSV or CSV stream into records, RFC 4180 style, without making a `String` per field.
///
/// - Fields are separated by the delimiter (tab or comma; sniffed from the first line when not
///   given: a tab there means TSV, otherwise a comma means CSV).
/// - A field that starts with `"` is quoted: it runs to the next lone `"`, may hold delimiters
///   and newlines, and `""` inside it stands for one `"`. A `"` elsewhere is an ordinary byte.
/// - Records end at `\n`; a `\r` before it is dropped. Empty lines are skipped. A UTF-8 byte-order
///   mark at the start of the input is skipped.
///
/// The input is read in 4 MiB chunks; a record that straddles two chunks is carried over whole.
/// Quoted fields are unescaped in place once their record is known to be complete.
///
/// - Complexity: O(bytes). Unquoted lines go through `memchr` for the line end and the delimiters.
struct DelimitedScanner: ~Copyable {
    let file: String
    private(set) var delimiter: UInt8?
    /// The fields of the current record; valid until the next ``refill()``.
    private(set) var fields: [UnsafeRawBufferPointer] = []
    /// The one-based line number where the current record starts.
    private(set) var recordLine = 0
    /// Column names (the header, once the reader has it), to name fields in errors.
    var columnNames: [String] = []
    /// Whether any record so far held a quote character (a split of the file at an arbitrary
    /// newline is only safe when none does).
    private(set) var sawQuote = false
    /// The line number the next record would start on.
    var nextLine: Int { line }

    private let source: ByteSource
    private let progress: ((Int) -> Void)?
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0, end = 0
    private var eof = false
    private var line = 1
    private var first = true
    /// The longest record the scanner buffers before it gives up.
    static let maxRecordBytes = 1 << 30

    init(_ source: ByteSource, delimiter: UInt8? = nil, progress: ((Int) -> Void)? = nil) {
        self.source = source
        self.file = source.name
        self.delimiter = delimiter
        self.progress = progress
        capacity = source.bufferSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        fields.reserveCapacity(64)
    }

    deinit { buffer.deallocate() }

    /// Moves to the next non-empty record in the bytes already read; `false` when more input is
    /// needed (call ``refill()``) or the input is exhausted.
    ///
    /// Hot readers call this in a plain loop (no closure per record), batch what they need, and
    /// finish with the batch before calling ``refill()``, which invalidates the field buffers.
    mutating func next() throws -> Bool {
        while start < end {
            if delimiter == nil {
                // Sniff from the first non-blank line; wait for it to be complete.
                var from = start
                while true {
                    let lineEnd = memchr(buffer + from, Int32(UInt8(ascii: "\n")), end - from)
                    if lineEnd == nil && !eof { return false }
                    let stop = lineEnd.map { UnsafeMutableRawPointer($0) - buffer } ?? end
                    let text = UnsafeRawBufferPointer(start: buffer + from, count: stop - from)
                    if text.contains(where: { $0 != 0x0D && $0 != 0x20 }) || stop >= end {
                        delimiter = Self.sniff(text)
                        break
                    }
                    from = stop + 1
                }
            }
            guard let parsed = try parseRecord(from: start) else { return false }
            start = parsed.0
            if parsed.1 { return true }
        }
        return false
    }

    /// Reads more input after the unparsed tail; `false` once the input is exhausted.
    mutating func refill() throws -> Bool {
        if eof {
            if start < end {
                throw InputError(.unterminatedQuote, file: file, line: line, "unterminated quoted field: a field opened with \" is not closed before the end of the file")
            }
            return false
        }
        if start > 0 {
            if end > start { memmove(buffer, buffer + start, end - start) }
            end -= start
            start = 0
        }
        if end == capacity {
            guard capacity < Self.maxRecordBytes else {
                throw InputError(.invalidValue, file: file, line: line, "a record longer than \(Self.maxRecordBytes >> 20) MiB starts here; is a quote left open?")
            }
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
            bigger.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        // Fill the buffer (a pipe hands out 64 KiB at a time), so that an incomplete record is
        // rescanned once per doubling of the buffer, not once per read.
        while end < capacity {
            let n = try source.read(into: buffer + end, count: capacity - end)
            if n == 0 { eof = true; break }
            end += n
        }
        progress?(source.bytesRead)
        if first && (eof || end >= 3) {
            if end >= 3, buffer.load(as: UInt8.self) == 0xEF, buffer.load(fromByteOffset: 1, as: UInt8.self) == 0xBB,
                buffer.load(fromByteOffset: 2, as: UInt8.self) == 0xBF
            {
                start = 3
            }
            first = false
        }
        return true
    }

    /// Calls `body` with the fields and line number of every non-empty record (for readers whose
    /// per-record cost is not the bottleneck).
    mutating func forEach(_ body: (_ fields: [UnsafeRawBufferPointer], _ line: Int) throws -> Void) throws {
        while try refill() {
            while try next() { try body(fields, recordLine) }
        }
    }

    /// Tab if the line holds one, else comma if it holds one, else tab.
    static func sniff(_ line: UnsafeRawBufferPointer) -> UInt8 {
        if line.contains(UInt8(ascii: "\t")) { return UInt8(ascii: "\t") }
        if line.contains(UInt8(ascii: ",")) { return UInt8(ascii: ",") }
        return UInt8(ascii: "\t")
    }

    /// Parses the record at `p` into ``fields``; returns where the next one starts and whether
    /// this one held anything (blank lines do not), or `nil` if the record is not complete in the
    /// buffer yet.
    @inline(__always)
    private mutating func parseRecord(from p: Int) throws -> (Int, Bool)? {
        let buf = buffer
        let delim = delimiter!
        let nlPtr = memchr(buf + p, Int32(UInt8(ascii: "\n")), end - p)
        if nlPtr == nil && !eof { return nil }
        let recordEnd = nlPtr.map { UnsafeMutableRawPointer($0) - buf } ?? end
        let next = nlPtr == nil ? end : recordEnd + 1

        if buf.load(fromByteOffset: p, as: UInt8.self) != UInt8(ascii: "\""),
            memchr(buf + p, Int32(UInt8(ascii: "\"")), recordEnd - p) == nil
        {
            // Fast path: no quote on this line.
            var lineEnd = recordEnd
            if lineEnd > p && buf.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == UInt8(ascii: "\r") { lineEnd -= 1 }
            recordLine = line
            line += 1
            // A line of nothing but spaces is blank too (as in pandas).
            var blank = p
            while blank < lineEnd && buf.load(fromByteOffset: blank, as: UInt8.self) == UInt8(ascii: " ") { blank += 1 }
            if blank == lineEnd { return (next, false) }
            fields.removeAll(keepingCapacity: true)
            var f = p
            while true {
                if let d = memchr(buf + f, Int32(delim), lineEnd - f) {
                    let dp = UnsafeMutableRawPointer(d) - buf
                    fields.append(UnsafeRawBufferPointer(start: buf + f, count: dp - f))
                    f = dp + 1
                } else {
                    fields.append(UnsafeRawBufferPointer(start: buf + f, count: lineEnd - f))
                    break
                }
            }
            return (next, true)
        }
        sawQuote = true
        return try parseQuotedRecord(from: p)
    }

    /// The slow path for a record holding quotes: first find its end without touching the bytes
    /// (so an incomplete record can be carried over as it was), then split and unescape in place.
    private mutating func parseQuotedRecord(from p: Int) throws -> (Int, Bool)? {
        let buf = buffer
        let end = self.end, eof = self.eof
        let delim = delimiter!
        let quote = UInt8(ascii: "\""), nl = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        @inline(__always) func at(_ i: Int) -> UInt8 { buf.load(fromByteOffset: i, as: UInt8.self) }

        // Pass 1: find the end of the record.
        var i = p
        var newlines = 0
        var recordEnd = -1
        var column = 0
        scanning: while true {
            if i < end && at(i) == quote {
                i += 1
                while true {
                    guard i < end else {
                        if eof {
                            let name = column < columnNames.count ? columnNames[column] : "column \(column + 1)"
                            throw InputError(.unterminatedQuote, file: file, line: line, field: name, "unterminated quoted field: a field opened with \" is not closed before the end of the file")
                        }
                        return nil
                    }
                    let c = at(i)
                    if c == quote {
                        if i + 1 < end && at(i + 1) == quote { i += 2; continue }
                        if i + 1 >= end && !eof { return nil }
                        i += 1
                        break
                    }
                    if c == nl { newlines += 1 }
                    i += 1
                }
            }
            while i < end {
                let c = at(i)
                if c == delim { i += 1; column += 1; continue scanning }
                if c == nl { recordEnd = i; break scanning }
                i += 1
            }
            if !eof { return nil }
            recordEnd = end
            break
        }
        let next = recordEnd < end ? recordEnd + 1 : end
        let startLine = line
        recordLine = line
        line += 1 + newlines

        // Pass 2: split into fields, unescaping quoted ones in place.
        fields.removeAll(keepingCapacity: true)
        var lineEnd = recordEnd
        if lineEnd > p && at(lineEnd - 1) == cr { lineEnd -= 1 }
        if lineEnd == p { return (next, false) }
        i = p
        while true {
            if i < lineEnd && at(i) == quote {
                var r = i + 1, w = i + 1
                while true {
                    let c = at(r)
                    if c == quote {
                        if r + 1 < recordEnd && at(r + 1) == quote {
                            buf.storeBytes(of: quote, toByteOffset: w, as: UInt8.self)
                            w += 1
                            r += 2
                            continue
                        }
                        r += 1
                        break
                    }
                    buf.storeBytes(of: c, toByteOffset: w, as: UInt8.self)
                    w += 1
                    r += 1
                }
                fields.append(UnsafeRawBufferPointer(start: buf + i + 1, count: w - i - 1))
                // After the closing quote: a delimiter, or the end of the record.
                var stop = lineEnd
                if r < recordEnd, at(r) == cr, r + 1 == recordEnd { stop = r }
                if r >= stop { break }
                if at(r) != delim {
                    throw InputError(.invalidValue, file: file, line: startLine, field: "column \(fields.count)", "unexpected character after a closing quote; expected the delimiter or the end of the line")
                }
                i = r + 1
                if i == lineEnd { fields.append(UnsafeRawBufferPointer(start: buf + i, count: 0)); break }
            } else {
                var j = i
                while j < lineEnd && at(j) != delim { j += 1 }
                fields.append(UnsafeRawBufferPointer(start: buf + i, count: j - i))
                if j >= lineEnd { break }
                i = j + 1
                if i == lineEnd { fields.append(UnsafeRawBufferPointer(start: buf + i, count: 0)); break }
            }
        }
        return (next, true)
    }
}
