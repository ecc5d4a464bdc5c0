import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore
import TallyQualityControl
import TallySimulation
import TolokaClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit status for input a command cannot use (BSD's EX_DATAERR).
let dataErrorExit: Int32 = 65

/// The one table from error type to exit status (sysexits.h) and message.
enum ErrorExit {
    /// The status and message for `error`, or nil for an error the CLI does not map (ArgumentParser's own).
    static func map(_ error: any Error) -> (status: Int32, message: String)? {
        switch error {
        case let e as InputError: return (e.code == .fileNotFound || e.code == .unreadable ? 66 : dataErrorExit, e.description)
        case let e as AggregationError: return (dataErrorExit, e.description)
        case let e as MetricError: return (dataErrorExit, e.description)
        case let e as AtomicFile.WriteError: return (73, e.description)
        case let e as ScenarioError: return (e.code == .unreadable ? 66 : dataErrorExit, e.description)
        case let e as QualityControlError: return (dataErrorExit, e.description)
        case let e as TolokaError:
            switch e.kind {
            case .invalidInput: return (dataErrorExit, e.description)
            case .conflict, .timeout: return (75, e.description)
            case .api where e.status == 401 || e.status == 403: return (77, e.description)
            default: return (69, e.description)
            }
        default: return nil
        }
    }
}

/// Runs a command body, printing a mapped error as `tally: error: …` and exiting with its status
/// (``ErrorExit``).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        guard let (status, message) = ErrorExit.map(error) else { throw error }
        printError(message)
        throw ExitCode(status)
    }
}

/// ``reportingErrors(_:)`` for `tally toloka`'s async bodies; `credential` is redacted from every message that might carry it.
func reportingTolokaErrors<T>(_ credential: TolokaCredential? = nil, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        guard let (status, message) = ErrorExit.map(error) else { throw error }
        printError(credential?.redact(message) ?? message)
        throw ExitCode(status)
    }
}

/// One line on stderr saying an old spelling still works but has a new one.
func deprecated(_ old: String, use new: String, quiet: Bool = false) {
    note("tally: warning: \(old) is deprecated; use \(new)", quiet: quiet)
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
    String(format: "%.3f s", (ContinuousClock.now - start).seconds)
}

extension OutputFormat: ExpressibleByArgument {}
extension AnswerFormat: ExpressibleByArgument {}
