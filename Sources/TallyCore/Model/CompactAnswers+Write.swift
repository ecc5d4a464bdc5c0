import Foundation

extension CompactAnswers {
    /// Writes one `task, label` row per task (TSV or CSV, byte for byte what
    /// ``ResultWriter/labels(_:_:format:)`` writes for the same answers), streaming: tasks are
    /// formatted in chunks of 65,536 and each chunk written before the next is made, so the output
    /// never sits whole in memory. A file is written beside its destination and renamed into place;
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
        let names = labels.names
        var start = 0
        while start < taskCount || start == 0 {
            var out = TextBuffer(format: format)
            if start == 0 { out.header(["task", "label"]) }
            let end = min(start + 65_536, taskCount)
            for t in start..<end {
                out.beginRecord()
                out.field("task", taskName(t))
                out.field("label", names[label(t)])
                out.endRecord()
            }
            try emit(out.finish())
            // The names' pages leave the resident set every 2^20 tasks (they were read once).
            if end % (1 << 20) == 0 || end == taskCount { taskNames.release() }
            start = end
            if end == taskCount { break }
        }
        try file?.commit()
    }
}
