import Foundation

extension CompactAnswers {
    /// Writes one `task, label` row per task (TSV or CSV, byte for byte what
    /// ``ResultWriter/labels(_:_:format:)`` writes for the same answers), streaming: tasks are
    /// formatted in chunks of 65,536 straight from the mapped names' bytes and each chunk written
    /// before the next is made, so the output never sits whole in memory. A file is written beside its destination and renamed into place;
    /// `-` writes to standard output.
    ///
    /// - Parameter label: the label id of task `t` (below ``labelCount``).
    /// - Throws: ``AtomicFile/WriteError`` when the file cannot be written; `format` must not be JSON.
    public func writeLabels(to path: String, format: OutputFormat, label: (Int) -> Int) throws {
        precondition(format != .json, "the compact table writes TSV or CSV")
        let file = path == "-" ? nil : try AtomicOutputFile(path: path)
        func emit(_ bytes: [UInt8]) throws {
            if let file { try file.append(bytes) } else { FileHandle.standardOutput.write(Data(bytes)) }
        }
        // A field as the writer spells it: plain bytes unless it holds the delimiter, a quote or a
        // line break (then quoted by TextBuffer, as ResultWriter does).
        let delimiter: UInt8 = format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
        func needsQuotes(_ b: UnsafeRawBufferPointer) -> Bool { b.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D } }
        func quoted(_ name: String) -> [UInt8] {
            var one = TextBuffer(format: format)
            one.beginRecord()
            one.field("task", name)
            return one.bytes
        }
        let labelBytes = labels.names.map { quoted($0) }
        var header = TextBuffer(format: format)
        header.header(["task", "label"])
        try emit(header.finish())
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
        defer { scratch.deallocate() }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 22)
        for start in stride(from: 0, to: taskCount, by: 65_536) {
            let end = min(start + 65_536, taskCount)
            chunk.removeAll(keepingCapacity: true)
            for t in start..<end {
                taskNames.withBytes(t, scratch: scratch) { b in
                    if needsQuotes(b) { chunk.append(contentsOf: quoted(String(decoding: b, as: UTF8.self))) } else { chunk.append(contentsOf: b) }
                }
                chunk.append(delimiter)
                chunk.append(contentsOf: labelBytes[label(t)])
                chunk.append(0x0A)
            }
            try emit(chunk)
            // The names' pages leave the resident set every 2^20 tasks (they were read once).
            if end % (1 << 20) == 0 || end == taskCount { taskNames.release() }
        }
        try file?.commit()
    }
}
