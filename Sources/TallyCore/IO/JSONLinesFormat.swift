#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON Lines answers: one object per line with `task`, `worker` (or `performer`) and `label`.
///
/// Values may be strings or numbers (a number keeps its JSON spelling, so `1` is the label `1`);
/// other keys are ignored; blank lines are skipped.
enum JSONLinesFormat {
    static func read(_ source: ByteSource, progress: ((Int) -> Void)?) throws -> AnswerFile {
        let file = source.name
        var builder = AnswerTableBuilder()
        var sawLine = false
        try LineScanner.scan(source, file: file, progress: progress) { bytes, line in
            sawLine = true
            let dict: [String: FlatJSON.Value]
            do {
                dict = try FlatJSON.parse(bytes)
            } catch let e as FlatJSON.SyntaxError {
                throw InputError(.invalidJSON, file: file, line: line, "invalid JSON (\(e.message)); expected one object per line like {\"task\": \"t1\", \"worker\": \"w1\", \"label\": \"yes\"}")
            }
            func value(_ keys: [String]) throws -> String {
                guard let key = keys.first(where: { dict[$0] != nil }) else {
                    throw InputError(.missingColumn, file: file, line: line, field: keys[0], "missing key; expected task, worker (or performer) and label")
                }
                switch dict[key]! {
                case .string(let s): return s
                case .number(let n): return n
                default:
                    throw InputError(.invalidValue, file: file, line: line, field: key, "expected a string or a number")
                }
            }
            let t = try value(["task"]), w = try value(["worker", "performer"]), l = try value(["label"])
            for (name, v) in [("task", t), ("worker", w), ("label", l)] where v.isEmpty {
                throw InputError(.emptyField, file: file, line: line, field: name, "empty value; every answer needs a task, a worker and a label")
            }
            builder.append(task: builder.tasks.intern(t), worker: builder.workers.intern(w), label: builder.rawLabels.intern(l))
        }
        guard sawLine else { throw InputError(.emptyFile, file: file, "the file is empty; expected one JSON object per line") }
        return AnswerFile(table: try builder.build(file: file), gold: nil, format: .jsonl, skipped: [:])
    }
}

/// Splits input into lines (no quoting), for line-oriented formats, streaming in 4 MiB chunks.
enum LineScanner {
    static func scan(
        _ source: ByteSource, file: String, progress: ((Int) -> Void)?,
        _ body: (_ line: UnsafeRawBufferPointer, _ number: Int) throws -> Void
    ) throws {
        var buffer = [UInt8](repeating: 0, count: source.bufferSize)
        var start = 0, end = 0, number = 1
        var eof = false, first = true
        while !eof || start < end {
            if !eof {
                // Keep the unfinished line, fill the rest.
                if start > 0 {
                    buffer.withUnsafeMutableBytes { b in
                        if end > start { memmove(b.baseAddress!, b.baseAddress! + start, end - start) }
                    }
                    end -= start
                    start = 0
                }
                if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
                while end < buffer.count {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0.baseAddress! + end, count: $0.count - end) }
                    if n == 0 { eof = true; break }
                    end += n
                }
                progress?(source.bytesRead)
                if first {
                    first = false
                    if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
                }
            }
            try buffer.withUnsafeBytes { all in
                while start < end {
                    let nl = memchr(all.baseAddress! + start, 0x0A, end - start)
                    if nl == nil && !eof { return }
                    let stopAt = nl.map { UnsafeRawPointer($0) - all.baseAddress! } ?? end
                    var stop = stopAt
                    if stop > start && all[stop - 1] == 0x0D { stop -= 1 }
                    let line = UnsafeRawBufferPointer(rebasing: all[start..<stop])
                    if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                        guard isValidUTF8(line) else { throw InputError(.invalidUTF8, file: file, line: number, "invalid UTF-8; expected text in UTF-8") }
                        try body(line, number)
                    }
                    start = stopAt + 1
                    number += 1
                }
                start = min(start, end)
            }
        }
    }
}
