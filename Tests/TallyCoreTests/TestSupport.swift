import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// Reads `text` as the answers file `name` in a temporary directory.
func readAnswers(_ text: String, name: String = "answers.tsv", options: AnswerReadOptions = AnswerReadOptions()) throws -> AnswerFile {
    try readAnswers(Array(text.utf8), name: name, options: options)
}

func readAnswers(_ bytes: [UInt8], name: String = "answers.tsv", options: AnswerReadOptions = AnswerReadOptions()) throws -> AnswerFile {
    try withTempDirectory { dir in
        let path = try writeFile(dir, name, bytes)
        return try AnswerReader.read(path, options: options)
    }
}

/// The error reading `bytes` (as the file `name`) throws, with the file name made relative to
/// the temporary directory so that expectations can name it.
func readError(_ bytes: [UInt8], name: String, options: AnswerReadOptions = AnswerReadOptions()) throws -> InputError {
    try withTempDirectory { dir in
        let path = try writeFile(dir, name, bytes)
        let error = try #require(throws: InputError.self) { try AnswerReader.read(path, options: options) }
        #expect(error.file == path, "the error names the file as given")
        return InputError(error.code, file: name, line: error.line, field: error.field, error.message)
    }
}

/// (task, worker, label) names of every answer, in input order.
func triples(_ table: AnswerTable) -> [[String]] {
    (0..<table.answerCount).map {
        [table.tasks.name(table.task[$0]), table.workers.name(table.worker[$0]), table.labels[Int(table.label[$0])]]
    }
}

/// The UTF-8 bytes of each string, to compare without Swift's Unicode-canonical `==`.
func bytes(_ strings: [String]) -> [[UInt8]] { strings.map { Array($0.utf8) } }

extension AnswerReadOptions {
    static func with(
        format: AnswerFormat = .auto, delimiter: UInt8? = nil, labelColumn: String? = nil,
        taskColumn: String? = nil, includeRejected: Bool = false
    ) -> AnswerReadOptions {
        var o = AnswerReadOptions(format: format)
        o.delimiter = delimiter
        o.labelColumn = labelColumn
        o.taskColumn = taskColumn
        o.includeRejected = includeRejected
        return o
    }
}
