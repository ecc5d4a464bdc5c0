import CTallyZlib

/// Inflates a gzip stream (RFC 1952) for ``ByteSource``.
///
/// Several gzip members one after another (`cat a.gz b.gz`) read as one stream, as `gzip -d`
/// reads them. A damaged stream, a truncated one, or bytes after the last member that do not
/// start another member stop the read with an ``InputError`` naming the file.
final class GzipStream {
    /// The name used in error messages.
    private let name: String
    /// Reads compressed bytes: returns how many (0 at the end of the input) or throws.
    private let readCompressed: (UnsafeMutableRawPointer, Int) throws -> Int
    private var stream = z_stream()
    private let inputCapacity = 1 << 16
    /// The compressed bytes read and not yet inflated (a fixed allocation: `next_in` points in).
    private let input: UnsafeMutablePointer<UInt8>
    /// Whether the current member's trailer has been read and no new member begun.
    private var memberEnded = false
    /// Whether the compressed input is exhausted.
    private var inputEnded = false
    /// Compressed bytes read so far, for error messages.
    private var compressedBytesRead = 0

    /// A stream over `readCompressed`, which yields the compressed bytes in order.
    init(name: String, readCompressed: @escaping (UnsafeMutableRawPointer, Int) throws -> Int) throws {
        self.name = name
        self.readCompressed = readCompressed
        input = .allocate(capacity: inputCapacity)
        guard ctally_inflate_init_gzip(&stream) == Z_OK else {
            input.deallocate()
            throw InputError(.unreadable, file: name, "cannot start zlib to read the gzip stream")
        }
    }

    /// Inflates up to `count` bytes into `buffer`; 0 means the end of the uncompressed data.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        while true {
            if stream.avail_in == 0 && !inputEnded {
                let n = try readCompressed(UnsafeMutableRawPointer(input), inputCapacity)
                if n == 0 { inputEnded = true }
                compressedBytesRead += n
                stream.next_in = input
                stream.avail_in = UInt32(n)
            }
            if memberEnded {
                // A member ended: more input must be another member; none is the end.
                if stream.avail_in == 0 { if inputEnded { return 0 } else { continue } }
                guard inflateReset(&stream) == Z_OK else { throw damaged("cannot start the next gzip member") }
                memberEnded = false
            }
            if stream.avail_in == 0 && inputEnded {
                throw damaged("the file ends inside a gzip stream (truncated?)")
            }
            let outCount = min(count, Int(UInt32.max))
            stream.next_out = buffer.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(outCount)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = outCount - Int(stream.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                memberEnded = true
            default:
                throw damaged(stream.msg.map { String(cString: $0) } ?? "zlib error \(status)")
            }
            if produced > 0 { return produced }
        }
    }

    private func damaged(_ detail: String) -> InputError {
        InputError(.invalidCompression, file: name, "not a valid gzip file (compressed byte \(compressedBytesRead - Int(stream.avail_in))): \(detail)")
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }
}
