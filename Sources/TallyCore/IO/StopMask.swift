#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

/// The positions of the bytes a line splitter stops at (the delimiter, `\n` and `"`) in a
/// 64-byte window of a buffer, as one bit per byte: bit `j` is set when byte `at + j` is one of
/// them. The splitter walks the set bits (``ParallelDelimitedReader``), so every byte is
/// classified once, 16 at a time, with no branch per byte.
///
/// On x86-64 the window is classified with SSE2 (`pcmpeqb`, `pmovmskb`), which every x86-64
/// processor has; elsewhere eight bytes at a time with exact word arithmetic.
struct StopMask {
    /// The delimiter, `\n` and `"`.
    let delimiter: UInt8

    /// Bytes past `size` count as no stop: a window that reaches the end of the buffer is
    /// classified from a zero-padded copy (the buffer is never read past `size`).
    @inline(__always)
    func window(_ base: UnsafeRawPointer, at: Int, size: Int) -> UInt64 {
        if at + 64 <= size { return full(base + at) }
        var pad: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &pad) { pad in
            if at < size { pad.baseAddress!.copyMemory(from: base + at, byteCount: size - at) }
            return full(UnsafeRawPointer(pad.baseAddress!))
        }
    }

    #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    /// The mask of the 64 bytes at `p` (all readable).
    @inline(__always)
    func full(_ p: UnsafeRawPointer) -> UInt64 {
        let d = _mm_set1_epi8(CChar(bitPattern: delimiter))
        let nl = _mm_set1_epi8(0x0A)
        let quote = _mm_set1_epi8(0x22)
        @inline(__always) func part(_ offset: Int) -> UInt64 {
            let v = _mm_loadu_si128((p + offset).assumingMemoryBound(to: __m128i.self))
            let hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, nl)), _mm_cmpeq_epi8(v, quote))
            return UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(hits)))
        }
        return part(0) | part(16) << 16 | part(32) << 32 | part(48) << 48
    }
    #else
    /// The mask of the 64 bytes at `p` (all readable).
    @inline(__always)
    func full(_ p: UnsafeRawPointer) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let d = ones &* UInt64(delimiter), nl = ones &* 0x0A, quote = ones &* 0x22
        /// High bit of each byte of `x` that is zero (exact: no borrow between bytes).
        @inline(__always) func zeros(_ x: UInt64) -> UInt64 { ~(((x & low7) &+ low7) | x | low7) }
        var mask: UInt64 = 0
        for k in 0..<8 {
            let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))
            var h = zeros(w ^ d) | zeros(w ^ nl) | zeros(w ^ quote)
            // Gather the eight high bits into the low byte.
            h = ((h >> 7) &* 0x0102_0408_1020_4080) >> 56
            mask |= (h & 0xFF) << UInt64(8 * k)
        }
        return mask
    }
    #endif
}
