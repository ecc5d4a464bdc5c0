import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A large output written piece by piece (and, from several threads, at given offsets) into a
/// temporary file beside its destination, then flushed and renamed into place by ``commit()``:
/// ``AtomicFile``'s guarantee for outputs too large to hold in memory. Dropped without a commit,
/// the temporary file is removed and the destination is left as it was.
package final class AtomicOutputFile: @unchecked Sendable {
    /// The destination, as given.
    package let path: String
    private let destination: String
    private let temporary: String
    private let fd: Int32
    private let mode: mode_t
    private var done = false
    /// Bytes written by ``append(_:)`` so far (the next append's offset).
    package private(set) var size = 0

    /// Creates the temporary file for `path` (a regular file; `-` and devices are refused).
    package init(path: String) throws {
        self.path = path
        var resolved = path
        var st = stat()
        if path == "-" { throw AtomicFile.WriteError(path: path, message: "cannot be standard output: this output is written at offsets; give a file name") }
        if lstat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK, let r = realpath(path, nil) {
                resolved = String(cString: r)
                free(r)
                _ = stat(resolved, &st)
            }
            if (st.st_mode & S_IFMT) == S_IFDIR { throw AtomicFile.WriteError(path: path, message: "is a directory; expected a file name") }
            if (st.st_mode & S_IFMT) != S_IFREG { throw AtomicFile.WriteError(path: path, message: "is not a regular file; this output is written at offsets") }
        }
        let existing: mode_t? = stat(resolved, &st) == 0 ? st.st_mode & 0o7777 : nil
        let m = umask(0o022)
        umask(m)
        mode = existing ?? (0o666 & ~m)
        destination = resolved
        let url = URL(fileURLWithPath: resolved)
        let dir = url.deletingLastPathComponent().path
        AtomicFile.removeStaleTemporaries(for: resolved)
        var template = Array("\(dir)/\(AtomicFile.temporaryPrefix(url.lastPathComponent))\(getpid())-XXXXXX".utf8CString)
        let d = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard d >= 0 else {
            throw AtomicFile.WriteError(path: path, message: "cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))")
        }
        fd = d
        temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `bytes` at `offset` (safe from several threads for disjoint ranges).
    package func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.WriteError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// Writes `bytes` after everything appended so far.
    package func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0, at: size) }
        size += bytes.count
    }

    /// Moves the append position to `offset` (bytes skipped read as zeros).
    package func seek(to offset: Int) { size = offset }

    /// Sets the file's length (a longer file reads as zeros past what was written).
    package func truncate(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw AtomicFile.WriteError(path: path, message: "cannot set the file's length: \(String(cString: strerror(errno)))")
        }
    }

    /// Flushes the file to disk (unless `sync` is false) and renames it over the destination.
    package func commit(sync: Bool = true) throws {
        guard !done else { return }
        done = true
        defer { close(fd) }
        if sync && fsync(fd) != 0 {
            unlink(temporary)
            throw AtomicFile.WriteError(path: path, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
        fchmod(fd, mode)
        guard rename(temporary, destination) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw AtomicFile.WriteError(path: path, message: "cannot rename the temporary file into place: \(message)")
        }
    }

    /// Removes the temporary file; the destination stays as it was.
    package func discard() {
        guard !done else { return }
        done = true
        close(fd)
        unlink(temporary)
    }

    deinit { discard() }
}
