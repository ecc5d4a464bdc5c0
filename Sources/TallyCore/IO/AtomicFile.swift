import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes outputs so that a failure never leaves a half-written file where a good one was.
///
/// The bytes go to a temporary file in the destination's folder, which is flushed to disk and then
/// renamed over the destination (an atomic step on POSIX file systems). `-` writes to standard
/// output.
///
/// The temporary file is named `.NAME.tmp-PID-XXXXXX` after the destination and the writing
/// process. A process killed while writing leaves its temporary file behind; the next write to
/// the same destination removes those whose process no longer runs
/// (``removeStaleTemporaries(for:)``).
public enum AtomicFile {
    /// A problem writing an output.
    public struct WriteError: LocatedError {
        /// The output's path, as given.
        public let path: String
        /// What went wrong (the system's error text included).
        public let message: String
        /// The ``path``: the ``description`` is `path: message`.
        public var location: String? { path }
    }

    /// Writes `bytes` to `path` (see the type's documentation).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write([(bytes, path)])
    }

    /// Writes several outputs all or nothing, as far as a file system allows: every file is
    /// first written in full to a temporary file beside its destination, and only when all of
    /// them are written are they renamed into place. A failure before that leaves every
    /// destination as it was.
    public static func write(_ outputs: [(bytes: [UInt8], path: String)]) throws {
        var pending: [Pending] = []
        do {
            for (bytes, path) in outputs { pending.append(try prepare(bytes, to: path)) }
        } catch {
            for p in pending { p.discard() }
            throw error
        }
        for (i, p) in pending.enumerated() {
            do {
                try p.commit()
            } catch {
                for q in pending[(i + 1)...] { q.discard() }
                throw error
            }
        }
    }

    /// An output written to its temporary file (or, for a stream, held in memory), not yet in place.
    private struct Pending {
        let requested: String
        let destination: String
        let temporary: String?
        let bytes: [UInt8]

        func commit() throws {
            guard let temporary else {
                if destination == "-" {
                    try writeAll(fd: 1, bytes, path: "<stdout>")
                } else {
                    let fd = open(destination, O_WRONLY)
                    guard fd >= 0 else { throw WriteError(path: requested, message: "cannot open: \(String(cString: strerror(errno)))") }
                    defer { close(fd) }
                    try writeAll(fd: fd, bytes, path: requested)
                }
                return
            }
            guard rename(temporary, destination) == 0 else {
                let message = String(cString: strerror(errno))
                unlink(temporary)
                throw WriteError(path: requested, message: "cannot rename the temporary file into place: \(message)")
            }
        }

        func discard() {
            if let temporary { unlink(temporary) }
        }
    }

    private static func prepare(_ bytes: [UInt8], to requested: String) throws -> Pending {
        if requested == "-" { return Pending(requested: requested, destination: "-", temporary: nil, bytes: bytes) }
        var path = requested
        var st = stat()
        if lstat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, nil) {
                // Replace the file the link points to, and keep the link.
                path = String(cString: resolved)
                free(resolved)
                _ = stat(path, &st)
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw WriteError(path: requested, message: "is a directory; expected a file name")
            }
            if (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFLNK {
                // A device, FIFO or socket (e.g. /dev/null, /dev/stdout, a pipe): it cannot be
                // replaced by a rename, and a partial write to it cannot spoil a stored file.
                return Pending(requested: requested, destination: path, temporary: nil, bytes: bytes)
            }
        }
        // A replaced file keeps its permissions; a new one gets 0666 less the umask, as with open(2).
        let existingMode: mode_t? = stat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        removeStaleTemporaries(for: path)
        var template = Array("\(dir)/\(temporaryPrefix(url.lastPathComponent))\(getpid())-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw WriteError(path: requested, message: "cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))")
        }
        let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            defer { close(fd) }
            try writeAll(fd: fd, bytes, path: requested)
            guard fsync(fd) == 0 else { throw WriteError(path: requested, message: "fsync failed: \(String(cString: strerror(errno)))") }
            fchmod(fd, existingMode ?? (0o666 & ~currentUmask()))
        } catch {
            unlink(tmp)
            throw error
        }
        return Pending(requested: requested, destination: path, temporary: tmp, bytes: [])
    }

    /// The start of a temporary file's name for the destination file name `name`; the writer's
    /// process id, `-` and six random characters follow.
    static func temporaryPrefix(_ name: String) -> String { ".\(name).tmp-" }

    /// Removes the temporary files that writes to `path` left behind when their process was
    /// killed: those named `.NAME.tmp-PID-XXXXXX` beside `path` whose process `PID` no longer
    /// runs. A live process's files (this one's included) are kept, since it may still be
    /// writing them. Returns the paths removed.
    @discardableResult
    public static func removeStaleTemporaries(for path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let prefix = temporaryPrefix(url.lastPathComponent)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), rest.distance(from: dash, to: rest.endIndex) == 7,
                  let pid = pid_t(rest[..<dash]), pid > 0, pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH only when no such process exists.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let stale = (dir as NSString).appendingPathComponent(name)
            if unlink(stale) == 0 { removed.append(stale) }
        }
        return removed
    }

    private static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = posixWrite(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }
}

private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// The process's umask (read by setting and restoring it).
private func currentUmask() -> mode_t {
    let m = umask(0o022)
    umask(m)
    return m
}
