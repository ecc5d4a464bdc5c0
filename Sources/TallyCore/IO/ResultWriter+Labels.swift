import Dispatch
import Foundation

extension ResultWriter {
    /// The TSV or CSV `task, label` rows of ``labels(_:_:format:)``, byte for byte, built straight
    /// from the interned names' bytes: two passes over the task names (the exact output size and
    /// which names need quotes, then the copy) into one buffer of that size, no `String` per row.
    ///
    /// A field is quoted as ``TextBuffer`` quotes it (RFC 4180: when it holds the delimiter, a
    /// quote or a line break, with its quotes doubled).
    /// With `threads` ≥ 2 and 131,072 tasks or more, parts of the tasks are counted and copied on
    /// the threads at once (each part into its own place in the buffer; the bytes are the same).
    static func delimitedLabels(_ table: AnswerTable, _ labels: [Int32], format: OutputFormat, threads: Int = 1) -> [UInt8] {
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
        @Sendable @inline(__always) func quotedSize(_ b: UnsafeRawBufferPointer) -> Int {
            var special = false, quotes = 0
            for c in b {
                if c == delimiter || c == 0x0A || c == 0x0D { special = true }
                if c == 0x22 { special = true; quotes += 1 }
            }
            return special ? b.count + quotes + 2 : b.count
        }
        // Parts of about 2^18 tasks (at most 4 per thread): each part is counted, then copied into its place.
        let parts = threads >= 2 && n >= 1 << 17 ? min(4 * threads, (n + (1 << 18) - 1) >> 18) : 1
        let bounds = (0...parts).map { n * $0 / parts }
        var starts = [Int](repeating: 0, count: parts + 1)
        let labelSizes = labelFields.map(\.count)
        let counted = UncheckedSendable(UnsafeMutableBufferPointer<Int>.allocate(capacity: parts))
        defer { counted.value.deallocate() }
        let count: @Sendable (Int) -> Void = { p in
            var size = 0
            labels.withUnsafeBufferPointer { l in
                for t in bounds[p]..<bounds[p + 1] {
                    size += tasks.withBytes(Int32(t)) { quotedSize($0) } + labelSizes[Int(l[t])]
                }
            }
            counted.value[p] = size
        }
        if parts > 1 { DispatchQueue.concurrentPerform(iterations: parts, execute: count) } else { count(0) }
        starts[0] = head.count
        for p in 0..<parts { starts[p + 1] = starts[p] + counted.value[p] }
        let size = starts[parts]
        let lastStarts = starts
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            let base = UncheckedSendable(out.baseAddress!)
            head.withUnsafeBytes { UnsafeMutableRawPointer(base.value).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            let copy: @Sendable (Int) -> Void = { p in
                var o = base.value + lastStarts[p]
                @inline(__always) func put(_ b: UnsafeRawBufferPointer) {
                    guard let base = b.baseAddress, b.count > 0 else { return }
                    UnsafeMutableRawPointer(o).copyMemory(from: base, byteCount: b.count)
                    o += b.count
                }
                labels.withUnsafeBufferPointer { l in
                    for t in bounds[p]..<bounds[p + 1] {
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
                precondition(o == base.value + lastStarts[p + 1], "delimitedLabels: part \(p) wrote \(o - base.value - lastStarts[p]) bytes, counted \(lastStarts[p + 1] - lastStarts[p])")
            }
            if parts > 1 { DispatchQueue.concurrentPerform(iterations: parts, execute: copy) } else { copy(0) }
            count = size
        }
    }
}
