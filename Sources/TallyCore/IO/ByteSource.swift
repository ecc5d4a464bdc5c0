#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or standard input, read in large chunks with `read(2)`.
///
/// Input that starts with gzip's magic bytes (`1f 8b`) is inflated as it is read, so every reader
/// takes `answers.tsv.gz` as it takes `answers.tsv`; ``totalBytes`` is then `nil` (the
/// uncompressed size is not known in advance).
final class ByteSource {
    /// The name used in error messages: the path as given, or `<stdin>` for `-`.
    let name: String
    /// The file's size when it is a regular file, for progress reports.
    private(set) var totalBytes: Int?
    private(set) var bytesRead = 0
    private let fd: Int32
    private let ownsDescriptor: Bool

    /// How large a chunk a scanner should read: 4 MiB, or less for a smaller regular file (the
    /// whole file and one byte, at least 4 KiB), so that a small input does not allocate 4 MiB.
    var bufferSize: Int { min(4 << 20, max(4 << 10, (totalBytes ?? (4 << 20)) + 1)) }

    /// Reading stops here (for a byte range of a regular file), or `Int.max`.
    private var remaining = Int.max

    /// The inflater when the input is gzip-compressed.
    private var gzip: GzipStream?
    /// Bytes read from the descriptor to look for gzip's magic, handed out before further reads.
    private var magic: [UInt8] = []

    /// Opens `path` and reads only `range` of it (a regular file, e.g. half of it for a second
    /// reading thread).
    convenience init(path: String, range: Range<Int>) throws {
        try self.init(path: path)
        guard gzip == nil else {
            throw InputError(.unreadable, file: path, "a gzip-compressed file cannot be read by byte ranges")
        }
        magic = []
        guard lseek(fd, off_t(range.lowerBound), SEEK_SET) >= 0 else {
            throw InputError(.unreadable, file: path, "cannot seek: \(String(cString: strerror(errno)))")
        }
        remaining = range.count
    }

    /// Opens `path`; `-` means standard input.
    init(path: String) throws {
        if path == "-" {
            name = "<stdin>"
            fd = 0
            ownsDescriptor = false
            totalBytes = nil
            try detectGzip()
            return
        }
        name = path
        let d = open(path, O_RDONLY)
        guard d >= 0 else {
            let e = errno
            if e == ENOENT { throw InputError(.fileNotFound, file: path, "no such file") }
            throw InputError(.unreadable, file: path, "cannot open: \(String(cString: strerror(e)))")
        }
        var st = stat()
        if fstat(d, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR {
                close(d)
                throw InputError(.unreadable, file: path, "is a directory, expected a file")
            }
            totalBytes = (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : nil
        } else {
            totalBytes = nil
        }
        fd = d
        ownsDescriptor = true
        try detectGzip()
        if gzip != nil { totalBytes = nil }
    }

    /// Reads the first two bytes; gzip's magic switches reading to a ``GzipStream``.
    private func detectGzip() throws {
        var head = [UInt8](repeating: 0, count: 2)
        var have = 0
        while have < 2 {
            let n = try head.withUnsafeMutableBytes { try descriptorRead($0.baseAddress! + have, 2 - have) }
            if n == 0 { break }
            have += n
        }
        head.removeLast(2 - have)
        magic = head
        if head == [0x1F, 0x8B] {
            gzip = try GzipStream(name: name) { [unowned self] buffer, count in try self.descriptorRead(buffer, count) }
        }
    }

    /// Bytes read ahead by ``peek(upTo:)`` and not yet handed out.
    private var pending: [UInt8] = []
    private var pendingStart = 0

    /// The first bytes of the input (up to `limit`), which later reads still return.
    /// Peeking again before any read returns the same bytes.
    func peek(upTo limit: Int) throws -> [UInt8] {
        if pendingStart == 0 && !pending.isEmpty && bytesRead == 0 {
            if pending.count >= limit { return Array(pending[0..<limit]) }
            return pending
        }
        var chunk = [UInt8](repeating: 0, count: limit)
        var have = 0
        while have < limit {
            let n = try chunk.withUnsafeMutableBytes { try rawRead($0.baseAddress! + have, limit - have) }
            if n == 0 { break }
            have += n
        }
        chunk.removeLast(limit - have)
        pending = chunk
        pendingStart = 0
        bytesRead = 0
        return chunk
    }

    /// Reads up to `count` bytes into `buffer`; 0 means the end of the input.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if pendingStart < pending.count {
            let n = min(count, pending.count - pendingStart)
            pending.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + pendingStart, byteCount: n) }
            pendingStart += n
            if pendingStart == pending.count { pending = [] ; pendingStart = 0 }
            bytesRead += n
            return n
        }
        return try rawRead(buffer, count)
    }

    /// Reads uncompressed bytes: through the inflater for gzip input, else from the descriptor.
    private func rawRead(_ buffer: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        if let gzip {
            let n = try gzip.read(into: buffer, count: count)
            bytesRead += n
            return n
        }
        let n = try descriptorRead(buffer, count)
        bytesRead += n
        return n
    }

    /// Reads the descriptor's bytes (the magic bytes first), within ``remaining``.
    private func descriptorRead(_ buffer: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        if !magic.isEmpty {
            let n = min(count, magic.count)
            magic.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: n) }
            magic.removeFirst(n)
            return n
        }
        while true {
            let n = posixRead(fd, buffer, min(count, remaining))
            if n > 0 { remaining -= n }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw InputError(.unreadable, file: name, "read failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }
}

/// `read(2)`, named so that it does not clash with ``ByteSource/read(into:count:)``.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
