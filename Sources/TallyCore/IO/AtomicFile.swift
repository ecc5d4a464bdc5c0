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
public enum AtomicFile {
    /// A problem writing an output.
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let message: String
        public var description: String { "\(path): \(message)" }
    }

    public static func write(_ bytes: [UInt8], to requested: String) throws {
        if requested == "-" {
            try writeAll(fd: 1, bytes, path: "<stdout>")
            return
        }
        var path = requested
        var st = stat()
        if lstat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, nil) {
                // Replace the file the link points to, and keep the link.
                path = String(cString: resolved)
                free(resolved)
                _ = stat(path, &st)
            }
            if (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFLNK {
                // A device, FIFO or socket (e.g. /dev/null, /dev/stdout, a pipe): it cannot be
                // replaced by a rename, and a partial write to it cannot spoil a stored file.
                let fd = open(path, O_WRONLY)
                guard fd >= 0 else { throw WriteError(path: requested, message: "cannot open: \(String(cString: strerror(errno)))") }
                defer { close(fd) }
                try writeAll(fd: fd, bytes, path: requested)
                return
            }
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var template = Array("\(dir)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw WriteError(path: path, message: "cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))")
        }
        let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            defer { close(fd) }
            try writeAll(fd: fd, bytes, path: path)
            guard fsync(fd) == 0 else { throw WriteError(path: path, message: "fsync failed: \(String(cString: strerror(errno)))") }
            fchmod(fd, 0o644)
        } catch {
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(tmp)
            throw WriteError(path: path, message: "cannot rename the temporary file into place: \(message)")
        }
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
