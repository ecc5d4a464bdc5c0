import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit status for input a command cannot use (BSD's EX_DATAERR).
let dataErrorExit: Int32 = 65

/// Prints problems with inputs as `tally: error: FILE:LINE: field 'F': …` and exits non-zero.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as InputError {
        printError(e.description)
        throw ExitCode(e.code == .fileNotFound || e.code == .unreadable ? 66 : dataErrorExit)
    } catch let e as AggregationError {
        printError(e.description)
        throw ExitCode(dataErrorExit)
    } catch let e as AtomicFile.WriteError {
        printError(e.description)
        throw ExitCode(73)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("tally: error: \(message)\n".utf8))
}

/// One line of information for the person at the terminal (stderr, so stdout stays data).
func note(_ message: String, quiet: Bool) {
    guard !quiet else { return }
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

/// A reading progress line on stderr, only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private var lastPrint = 0.0
    private var shown = false
    let enabled: Bool

    init(_ label: String, quiet: Bool) {
        self.label = label
        enabled = !quiet && isatty(2) == 1
    }

    func update(_ done: Int, _ total: Int?) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        guard now - lastPrint > 0.2 else { return }
        lastPrint = now
        shown = true
        let mb = Double(done) / 1_048_576
        let text = total.map { $0 > 0 ? String(format: "\r%@: %3.0f%% (%.0f MB)", label, 100 * Double(done) / Double($0), mb) : "" }
            ?? String(format: "\r%@: %.0f MB", label, mb)
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Replaces the line with `text` (throttled like ``update(_:_:)``).
    func message(_ text: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        guard now - lastPrint > 0.1 else { return }
        lastPrint = now
        shown = true
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

func seconds(since start: ContinuousClock.Instant) -> String {
    let d = ContinuousClock.now - start
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    return String(format: "%.3f s", s)
}

extension OutputFormat: ExpressibleByArgument {}
extension AnswerFormat: ExpressibleByArgument {}
