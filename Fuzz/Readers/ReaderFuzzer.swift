// libFuzzer entry point for Tally's readers. Not part of the SwiftPM package: scripts/fuzz.sh
// compiles it into the TallyCore module (so it reaches internal API) with
// `swiftc -sanitize=fuzzer,address -parse-as-library`. TALLY_FUZZ_TARGET picks the reader:
//   crowdkit  AnswerReader (crowd-kit TSV/CSV, auto-detected delimiter) and GoldReader on the input
//   toloka    AnswerReader as a Toloka export (with and without --include-rejected)
//   jsonl     AnswerReader as JSON Lines
//   json      JSONValue's parser, then its writer: writing, parsing and writing again gives the same text
// Input that starts with gzip's magic bytes is inflated first, as every reader does for .gz files.
// A thrown InputError is the expected answer to bad input; a crash, a leak, a hang or a broken
// invariant (checked below) is a finding.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

private enum FuzzTarget: String { case crowdkit, toloka, jsonl, json }

private let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["TALLY_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("TALLY_FUZZ_TARGET must be crowdkit, toloka, jsonl or json (got '\(name)')\n".utf8))
        exit(2)
    }
    return t
}()

/// The input goes through a file, as every reader takes a path (and so sniffs gzip and formats).
private let inputPath: String = {
    let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NSTemporaryDirectory()
    return "\(dir)/tally-fuzz-\(getpid())-\(fuzzTarget.rawValue).in"
}()

private func writeInput(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let fd = open(inputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot write \(inputPath)")
    var done = 0
    while done < size {
        let n = write(fd, data + done, size - done)
        precondition(n > 0, "cannot write \(inputPath)")
        done += n
    }
    close(fd)
}

/// What every table a reader returns must satisfy.
private func check(_ table: AnswerTable) {
    precondition(table.task.count == table.worker.count && table.task.count == table.label.count)
    precondition(table.task.allSatisfy { $0 >= 0 && Int($0) < table.taskCount })
    precondition(table.worker.allSatisfy { $0 >= 0 && Int($0) < table.workerCount })
    precondition(table.label.allSatisfy { $0 >= 0 && Int($0) < table.labelCount })
    precondition(table.answerCount > 0, "a reader returned a table without answers instead of an error")
}

private func read(_ format: AnswerFormat, includeRejected: Bool = false) {
    var options = AnswerReadOptions(format: format)
    options.includeRejected = includeRejected
    options.execution = ExecutionSettings(threads: 1)
    if let file = try? AnswerReader.read(inputPath, options: options) { check(file.table) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func tallyFuzzReaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    switch fuzzTarget {
    case .crowdkit:
        writeInput(data, size)
        read(.crowdkit)
        _ = try? GoldReader.read(inputPath)
    case .toloka:
        writeInput(data, size)
        read(.toloka)
        read(.toloka, includeRejected: true)
    case .jsonl:
        writeInput(data, size)
        read(.jsonl)
    case .json:
        guard let value = try? JSONValue(parsing: Data(bytes: data, count: size)) else { return 0 }
        for numbers in [JSONValue.NumberFormat.shortest, .python] {
            let once = value.serialized(numbers: numbers)
            guard let again = try? JSONValue(parsing: once) else {
                preconditionFailure("JSONValue wrote text its parser refuses: \(once.prefix(200))")
            }
            precondition(again.serialized(numbers: numbers) == once, "writing is not stable: \(once.prefix(200))")
        }
    }
    return 0
}
