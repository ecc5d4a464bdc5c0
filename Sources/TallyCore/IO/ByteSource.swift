#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or standard input, read in large chunks with `read(2)`.
final class ByteSource {
    /// The name used in error messages: the path as given, or `<stdin>` for `-`.
    let name: String
    /// The file's size when it is a regular file, for progress reports.
    let totalBytes: Int?
    private(set) var bytesRead = 0
    private let fd: Int32
    private let ownsDescriptor: Bool

    /// Reading stops here (for a byte range of a regular file), or `Int.max`.
    private var remaining = Int.max

    /// Opens `path` and reads only `range` of it (a regular file, e.g. half of it for a second
    /// reading thread).
    convenience init(path: String, range: Range<Int>) throws {
        try self.init(path: path)
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
    }

    /// Bytes read ahead by ``peek(upTo:)`` and not yet handed out.
    private var pending: [UInt8] = []
    private var pendingStart = 0

    /// The first bytes of the input (up to `limit`), which later reads still return.
    func peek(upTo limit: Int) throws -> [UInt8] {
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

    private func rawRead(_ buffer: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        while true {
            let n = posixRead(fd, buffer, min(count, remaining))
            if n > 0 { remaining -= n }
            if n >= 0 {
                bytesRead += n
                return n
            }
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
