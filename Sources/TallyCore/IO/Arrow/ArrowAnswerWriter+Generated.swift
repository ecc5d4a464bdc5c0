import Dispatch

/// The arithmetic of generated names `prefix` + decimal index (`t0`, `t1`, …): where each name
/// starts in a dictionary's data buffer, without spelling the names before it.
enum GeneratedNames {
    /// The number of decimal digits of `i` (≥ 0).
    @inline(__always)
    static func digits(_ i: Int) -> Int {
        var d = 1, limit = 10
        while i >= limit && d < 19 { d += 1; limit &*= 10 }
        return d
    }

    /// The total digits of the indices `0 ..< n`.
    static func digitsBefore(_ n: Int) -> Int {
        var total = 0, lo = 0, hi = 10, d = 1
        while lo < n {
            total += (min(n, hi) - lo) * d
            lo = hi
            if hi > Int.max / 10 { hi = Int.max } else { hi *= 10 }
            d += 1
        }
        return total
    }

    /// Where name `i` starts among the names' bytes (`i` names of `prefix` bytes each before it).
    static func offset(of i: Int, prefix: Int) -> Int { i * prefix + digitsBefore(i) }

    /// The bytes of `count` names together.
    static func totalBytes(prefix: Int, count: Int) -> Int { offset(of: count, prefix: prefix) }
}

extension ArrowAnswerWriter {
    /// Names per chunk of a generated dictionary (one chunk is filled by one thread at a time).
    static let generatedChunk = 1 << 20

    /// Writes dictionary `id` of `count` names `prefix` + index (the same bytes as the general
    /// path of ``writeDictionary``): the offsets and the names are computed chunk by chunk on
    /// ``threads`` threads, each chunk written at its own offset, so no name is handed through a
    /// closure and no thread waits for another.
    func writeGeneratedDictionary(id: Int64, prefix: [UInt8], count: Int, dataBytes: Int, large: Bool) throws {
        let offsetWidth = large ? 8 : 4
        let offsetBytes = offsetWidth * (count + 1)
        let batch = Self.recordBatchTable(rows: count, valueSizes: [[offsetBytes, dataBytes]])
        let body = Self.padded(offsetBytes) + Self.padded(dataBytes)
        let block = try message(header: 2, .table([.i64(id), .child(batch), .u8(0)]), bodyLength: body)
        dictionaryBlocks.append(block)
        let offsetsAt = block.0 + Int(block.1)
        let bytesAt = offsetsAt + Self.padded(offsetBytes)
        // offsets[0] = 0; chunk c writes offsets[a + 1 ... b] and the names a ..< b.
        let out = self.out
        let zero = [UInt8](repeating: 0, count: offsetWidth)
        try zero.withUnsafeBytes { try out.write($0, at: offsetsAt) }
        let chunk = Self.generatedChunk
        let chunks = (count + chunk - 1) / chunk
        let parallel = max(1, min(threads, chunks))
        final class Errors: @unchecked Sendable { var list: [(any Error)?] = [] }
        let errors = Errors()
        errors.list = Array(repeating: nil, count: parallel)
        let p = prefix.count
        DispatchQueue.concurrentPerform(iterations: parallel) { part in
            let offsets = UnsafeMutableRawPointer.allocate(byteCount: chunk * offsetWidth, alignment: 8)
            let names = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk * (p + 20))
            defer { offsets.deallocate(); names.deallocate() }
            do {
                for c in stride(from: part, to: chunks, by: parallel) {
                    let a = c * chunk, b = min(count, a + chunk)
                    let start = GeneratedNames.offset(of: a, prefix: p)
                    // The decimal spelling of a, incremented in place from name to name.
                    var digits = [UInt8](repeating: 0, count: 20)
                    var width = GeneratedNames.digits(a)
                    var m = a
                    for j in stride(from: width - 1, through: 0, by: -1) { digits[j] = UInt8(ascii: "0") + UInt8(m % 10); m /= 10 }
                    var w = 0
                    for i in a..<b {
                        for j in 0..<p { names[w + j] = prefix[j] }
                        w += p
                        for j in 0..<width { names[w + j] = digits[j] }
                        w += width
                        let end = start + w
                        if large { offsets.storeBytes(of: Int64(end).littleEndian, toByteOffset: 8 * (i - a), as: Int64.self) }
                        else { offsets.storeBytes(of: Int32(truncatingIfNeeded: end).littleEndian, toByteOffset: 4 * (i - a), as: Int32.self) }
                        // Next index.
                        var j = width - 1
                        while j >= 0 {
                            if digits[j] == UInt8(ascii: "9") { digits[j] = UInt8(ascii: "0"); j -= 1 } else { digits[j] += 1; break }
                        }
                        if j < 0 {
                            for q in stride(from: width, to: 0, by: -1) { digits[q] = digits[q - 1] }
                            digits[0] = UInt8(ascii: "1")
                            width += 1
                        }
                    }
                    try out.write(UnsafeRawBufferPointer(start: offsets, count: (b - a) * offsetWidth), at: offsetsAt + offsetWidth * (a + 1))
                    try out.write(UnsafeRawBufferPointer(start: names, count: w), at: bytesAt + start)
                }
            } catch {
                errors.list[part] = error
            }
        }
        if let error = errors.list.compactMap({ $0 }).first { throw error }
        out.seek(to: block.0 + Int(block.1) + body)
    }
}
