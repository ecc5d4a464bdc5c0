import Foundation
import Testing
import TallyCore
import TallyTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Feeds `bytes` into a named pipe in `piece`-byte writes from a background thread while
/// `body` reads the pipe's path, the way `tally aggregate -` or `<(zcat …)` hands the reader a
/// stream that arrives in small pieces and has no size.
///
/// On Linux the pipe's buffer is shrunk to one page, so that every `read(2)` of the reader returns
/// at most 4 KiB however slow it is. The writer stops early (closing the pipe) once `writeFor` has
/// passed, so that a reader gone quadratic fails a timing check soon instead of hanging the run.
private func withFIFO<R>(
    _ bytes: [UInt8], piece: Int, name: String = "answers.csv", writeFor: Duration = .seconds(60), _ body: (String) throws -> R
) throws -> R {
    // A reader that gives up early must not kill the test process with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    return try withTempDirectory { dir in
        let path = dir.appendingPathComponent(name).path
        guard mkfifo(path, 0o600) == 0 else {
            throw InputError(.unreadable, file: path, "mkfifo failed: \(String(cString: strerror(errno)))")
        }
        let done = DispatchSemaphore(value: 0)
        let writer = Thread {
            defer { done.signal() }
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { return }
            defer { close(fd) }
            #if os(Linux)
            _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, Int32(4096))
            #endif
            let clock = ContinuousClock()
            let stop = clock.now + writeFor
            bytes.withUnsafeBytes { raw in
                var offset = 0
                var writes = 0
                while offset < raw.count {
                    let n = Swift.min(piece, raw.count - offset)
                    var written = 0
                    while written < n {
                        let w = write(fd, raw.baseAddress! + offset + written, n - written)
                        if w < 0 {
                            if errno == EINTR { continue }
                            return  // the reader went away
                        }
                        written += w
                    }
                    offset += n
                    writes += 1
                    // Now and then let the reader drain the pipe, so it sees short reads.
                    if writes % 64 == 0 {
                        sched_yield()
                        if clock.now > stop { return }
                    }
                }
            }
        }
        writer.start()
        defer {
            // If the reader never opened the pipe or stopped early, open it here and drain it
            // until the writer is done, so that the writer thread never blocks forever.
            if done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                let fd = open(path, O_RDONLY | O_NONBLOCK)
                var sink = [UInt8](repeating: 0, count: 1 << 16)
                while done.wait(timeout: .now() + .milliseconds(5)) == .timedOut {
                    _ = sink.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                }
                if fd >= 0 { close(fd) }
            }
        }
        return try body(path)
    }
}

/// Collects progress reports from the reader (which may call from any thread).
private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [(Int, Int?)] = []
    func add(_ n: Int, _ total: Int?) { lock.lock(); reports.append((n, total)); lock.unlock() }
    var all: [(Int, Int?)] { lock.lock(); defer { lock.unlock() }; return reports }
}

@Suite("scanner on streamed input (named pipes)")
struct ScannerStreamingTests {
    /// `rows` CSV answers; every 1009th task is quoted and holds a comma, doubled quotes and a newline.
    static func csv(rows: Int) -> [UInt8] {
        var out = Array("task,worker,label\n".utf8)
        out.reserveCapacity(rows * 28)
        for i in 0..<rows {
            let task = i % 1009 == 0 ? "\"t\(i), \"\"q\"\"\nnext\"" : "task-\(i)"
            out += Array("\(task),worker-\(i % 731),\(i % 5)\n".utf8)
        }
        return out
    }

    static func taskName(_ i: Int) -> String { i % 1009 == 0 ? "t\(i), \"q\"\nnext" : "task-\(i)" }

    @Test("a multi-MB CSV arriving in small pieces through a pipe reads correctly", arguments: [1021, 4096, 65_536])
    func multiMegabyteInSmallPieces(piece: Int) throws {
        let n = 220_000
        let data = Self.csv(rows: n)
        #expect(data.count > 5 << 20, "larger than the 4 MiB read buffer")
        let log = ProgressLog()
        var options = AnswerReadOptions()
        options.progress = { log.add($0, $1) }
        let file = try withFIFO(data, piece: piece) { try AnswerReader.read($0, options: options) }
        let table = file.table
        #expect(file.format == .crowdkit)
        #expect(table.answerCount == n)
        #expect(table.taskCount == n)
        #expect(table.workerCount == 731)
        #expect(table.labels.names == ["0", "1", "2", "3", "4"])
        #expect(table.task == (0..<Int32(n)).map { $0 })
        for i in [0, 1, 1008, 1009, 1010, 99_999, 150_381, 219_999] {
            #expect(table.tasks.name(table.task[i]) == Self.taskName(i), "task of row \(i)")
            #expect(table.workers.name(table.worker[i]) == "worker-\(i % 731)", "worker of row \(i)")
            #expect(table.labels[Int(table.label[i])] == "\(i % 5)", "label of row \(i)")
        }
        let reports = log.all
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { $0.1 == nil }, "a pipe has no known size")
        #expect(reports.map(\.0).max() == data.count, "every byte is counted once")
    }

    @Test("a TSV through a pipe, sniffed from its header, with CRLF line ends")
    func tsvWithCRLF() throws {
        let n = 150_000
        var data = Array("task\tworker\tlabel\r\n".utf8)
        for i in 0..<n { data += Array("t\(i)\tw\(i % 97)\tl\(i % 3)\r\n".utf8) }
        let table = try withFIFO(data, piece: 3000, name: "answers") { try AnswerReader.read($0).table }
        #expect(table.answerCount == n)
        #expect(table.workerCount == 97)
        #expect(table.labels.names == ["l0", "l1", "l2"])
        #expect(table.tasks.name(table.task[n - 1]) == "t\(n - 1)")
        #expect(table.labels[Int(table.label[n - 1])] == "l\((n - 1) % 3)")
    }

    @Test("a quoted field of several MB (newlines, commas, doubled quotes) through a pipe")
    func quotedFieldSpanningMegabytes() throws {
        // 6 MiB of text: 48 000 lines of 128 bytes, each with a comma and a doubled quote.
        var unescaped: [UInt8] = []
        var escaped: [UInt8] = []
        let lines = 48_000
        for i in 0..<lines {
            let text = "line \(i), with a \"quote\" " + String(repeating: "x", count: 100)
            let padded = String(text.prefix(127)) + "\n"
            unescaped += Array(padded.utf8)
            escaped += Array(padded.replacingOccurrences(of: "\"", with: "\"\"").utf8)
        }
        #expect(unescaped.count > 6_000_000)
        var data = Array("task,worker,label\n".utf8)
        data += Array("first,w0,a\n".utf8)                                          // line 2
        data += [UInt8(ascii: "\"")] + escaped + Array("\",w1,b\n".utf8)          // lines 3 … 3 + 48 000
        data += Array("last,w2,\"c\nd\"\n".utf8)                                  // two more lines
        data += Array("ragged,w3\n".utf8)
        let bad = 3 + lines + 3
        for piece in [4096, 65_536] {
            let error = try withFIFO(data, piece: piece) { path in
                try #require(throws: InputError.self) { try AnswerReader.read(path) }
            }
            #expect(error.code == .raggedRow)
            #expect(error.line == bad, "line numbers count the newlines inside the big field")
            #expect(error.field == "label")
        }
        // Without the ragged row the big field reads back byte for byte.
        data.removeLast("ragged,w3\n".utf8.count)
        let table = try withFIFO(data, piece: 8191) { try AnswerReader.read($0).table }
        #expect(table.answerCount == 3)
        #expect(table.tasks.name(0) == "first")
        #expect(table.tasks.withBytes(1) { Array($0) } == unescaped)
        #expect(table.tasks.name(2) == "last")
        #expect(table.labels.names == ["a", "b", "c\nd"])
        #expect(table.workers.names == ["w0", "w1", "w2"])
    }

    @Test("an unclosed quote early in 20 MB of piped input fails fast with unterminatedQuote")
    func unclosedQuoteFailsFast() throws {
        var data = Array("task,worker,label\n".utf8)
        for i in 0..<10 { data += Array("t\(i),w\(i),a\n".utf8) }   // lines 2-11
        data += Array("t10,\"w10,a\n".utf8)                          // line 12: the quote never closes
        // 20 MB of plain rows after it, built by repeating a 64 KiB block.
        var block: [UInt8] = []
        var i = 0
        while block.count < 65_536 { block += Array("task-\(i),worker-\(i % 100),b\n".utf8); i += 1 }
        let target = 20 << 20
        data.reserveCapacity(target + block.count)
        while data.count < target { data += block }
        let log = ProgressLog()
        var options = AnswerReadOptions()
        options.progress = { log.add($0, $1) }
        let clock = ContinuousClock()
        let started = clock.now
        let error = try withFIFO(data, piece: 16_384, writeFor: .seconds(10)) { path in
            try #require(throws: InputError.self) { try AnswerReader.read(path, options: options) }
        }
        let elapsed = clock.now - started
        #expect(log.all.map(\.0).max() == data.count, "the whole input was read before the quote was known to be open")
        #expect(error.code == .unterminatedQuote)
        #expect(error.line == 12, "the error points at the line where the quote opened")
        #expect(error.field == "worker")
        #expect(elapsed < .seconds(10), "took \(elapsed): an incomplete record must not be rescanned per read")
    }

    @Test("an unclosed quote in a file that ends early fails the same way (regular file)")
    func unclosedQuoteRegularFile() throws {
        let error = try readError(Array("task,worker,label\nt1,w1,a\nt2,\"w2,b\nt3,w3,c\n".utf8), name: "a.csv")
        #expect(error.code == .unterminatedQuote)
        #expect(error.line == 3)
        #expect(error.field == "worker")
    }

    @Test("a line of only spaces before the header is skipped", arguments: [
        "   \ntask,worker,label\nt1,w1,a\nt2,w2,b\n",
        "  \r\ntask,worker,label\r\nt1,w1,a\r\nt2,w2,b\r\n",
        " \n\n   \ntask\tworker\tlabel\nt1\tw1\ta\nt2\tw2\tb\n",
    ])
    func spacesBeforeHeader(text: String) throws {
        let expected = [["t1", "w1", "a"], ["t2", "w2", "b"]]
        // Both sources are checked, so that a failure of one does not hide the other.
        for source in ["pipe", "regular file"] {
            do {
                let file = source == "pipe"
                    ? try withFIFO(Array(text.utf8), piece: 2) { try AnswerReader.read($0) }
                    : try readAnswers(text, name: "answers.txt")
                #expect(file.format == .crowdkit, "\(source)")
                #expect(triples(file.table) == expected, "\(source)")
            } catch {
                Issue.record("\(source): \(error)")
            }
        }
    }

    @Test("a line of only spaces before the header does not shift line numbers in errors")
    func spacesBeforeHeaderLineNumbers() throws {
        let error = try readError(Array("   \ntask,worker,label\nt1,w1,a\nt2,w2\n".utf8), name: "a.csv")
        #expect(error.code == .raggedRow)
        #expect(error.line == 4)
        #expect(error.field == "label")
    }
}
