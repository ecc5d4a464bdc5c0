import Foundation

extension ResultWriter {
    /// The TSV or CSV `task, label` rows of ``labels(_:_:format:)``, byte for byte, built straight
    /// from the interned names' bytes: two passes over the task names (the exact output size and
    /// which names need quotes, then the copy) into one buffer of that size, no `String` per row.
    ///
    /// A field is quoted as ``TextBuffer`` quotes it (RFC 4180: when it holds the delimiter, a
    /// quote or a line break, with its quotes doubled).
    static func delimitedLabels(_ table: AnswerTable, _ labels: [Int32], format: OutputFormat) -> [UInt8] {
        precondition(format != .json, "delimitedLabels writes TSV or CSV")
        let delimiter: UInt8 = format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
        var header = TextBuffer(format: format)
        header.header(["task", "label"])
        let head = header.finish()
        // Each label's field, with its delimiter before and the line break after.
        let labelFields: [[UInt8]] = table.labels.names.map { name in
            var one = TextBuffer(format: format)
            one.beginRecord()
            one.field("label", name)
            return [delimiter] + one.bytes + [0x0A]
        }
        let tasks = table.tasks
        let n = tasks.count
        precondition(labels.count >= n, "labels must hold a label id per task")

        /// The quoted size of a field (its size when it needs no quotes).
        @inline(__always) func quotedSize(_ b: UnsafeRawBufferPointer) -> Int {
            var special = false, quotes = 0
            for c in b {
                if c == delimiter || c == 0x0A || c == 0x0D { special = true }
                if c == 0x22 { special = true; quotes += 1 }
            }
            return special ? b.count + quotes + 2 : b.count
        }
        var size = head.count
        labels.withUnsafeBufferPointer { l in
            for t in 0..<n {
                size += tasks.withBytes(Int32(t)) { quotedSize($0) } + labelFields[Int(l[t])].count
            }
        }
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            var o = out.baseAddress!
            @inline(__always) func put(_ b: UnsafeRawBufferPointer) {
                guard let base = b.baseAddress, b.count > 0 else { return }
                UnsafeMutableRawPointer(o).copyMemory(from: base, byteCount: b.count)
                o += b.count
            }
            head.withUnsafeBytes { put($0) }
            labels.withUnsafeBufferPointer { l in
                for t in 0..<n {
                    tasks.withBytes(Int32(t)) { b in
                        if quotedSize(b) == b.count {
                            put(b)
                        } else {
                            o.pointee = 0x22
                            o += 1
                            for c in b {
                                if c == 0x22 { o.pointee = 0x22; o += 1 }
                                o.pointee = c
                                o += 1
                            }
                            o.pointee = 0x22
                            o += 1
                        }
                    }
                    labelFields[Int(l[t])].withUnsafeBytes { put($0) }
                }
            }
            count = o - out.baseAddress!
            precondition(count == size, "delimitedLabels: \(count) bytes written, \(size) counted")
        }
    }
}
