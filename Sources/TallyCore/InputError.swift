/// A problem with an input file, reported so that a person can fix it.
///
/// Every reader in Tally throws this type. Its ``description`` names the file, the line and the
/// field, and says what was expected, for example:
///
///     answers.tsv:17: field 'label': row has 2 fields, expected 3 as in the header
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in a form a program can switch on.
    public enum Code: String, Sendable, Equatable {
        case fileNotFound
        case unreadable
        case emptyFile
        case noAnswers
        case missingColumn
        case raggedRow
        case unterminatedQuote
        case invalidUTF8
        case emptyField
        case invalidJSON
        case invalidValue
        case conflictingGold
        case tooLarge
    }

    public let code: Code
    /// The file, as the user named it (`-` or `<stdin>` for standard input).
    public let file: String
    /// One-based line number, when the problem is on a line.
    public let line: Int?
    /// The column or key the problem is in, when there is one.
    public let field: String?
    /// What was found and what was expected.
    public let message: String

    public init(_ code: Code, file: String, line: Int? = nil, field: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let field { s += "field '\(field)': " }
        return s + message
    }
}
