#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory (`mmap`), so that its bytes are read in place and
/// never copied into the process's heap. Pages already read can be handed back to the kernel
/// (``release(_:)``), so that a pass over a file larger than memory keeps a bounded resident set.
final class MappedFile: @unchecked Sendable {
    /// The path, as given (for error messages).
    let path: String
    /// The first byte of the mapping.
    let base: UnsafeRawPointer
    /// The file's size in bytes.
    let count: Int

    /// Maps `path`; an empty file, a folder or a file that cannot be mapped is an ``InputError``.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw InputError(.fileNotFound, file: path, "no such file") }
            throw InputError(.unreadable, file: path, "cannot open: \(String(cString: strerror(e)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw InputError(.unreadable, file: path, "not a regular file; an Arrow file is read by mapping it into memory")
        }
        count = Int(st.st_size)
        guard count > 0 else { throw InputError(.emptyFile, file: path, "the file is empty; expected an Arrow IPC file") }
        let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw InputError(.unreadable, file: path, "cannot map the file into memory: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
        _ = madvise(p, count, MADV_SEQUENTIAL)
    }

    /// The bytes of the file in `range` (checked by the caller).
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Hands the whole pages inside `range` back to the kernel: they leave this process's resident
    /// set (the page cache may keep them) and are read again from the file if touched.
    func release(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }
}
