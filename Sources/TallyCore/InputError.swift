/// A problem with an input file, reported so that a person can fix it.
///
/// Every reader in Tally throws this type. Its ``description`` names the file, the line and the
/// field, and says what was expected, for example:
///
///     answers.tsv:17: field 'label': row has 2 fields, expected 3 as in the header
public struct InputError: LocatedError, Equatable {
    /// What went wrong, in a form a program can switch on.
    public enum Code: String, Sendable, Equatable {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but could not be read (permissions, an I/O error, a folder).
        case unreadable
        /// The file holds nothing, not even a header line.
        case emptyFile
        /// The file has a header but no data rows.
        case noAnswers
        /// The header lacks a column the format needs.
        case missingColumn
        /// A row has more or fewer fields than the header (or columns given in memory differ in length).
        case raggedRow
        /// A quoted field is not closed before the end of the file.
        case unterminatedQuote
        /// A name or value is not valid UTF-8.
        case invalidUTF8
        /// A field that must hold a value (task, worker, label, …) is empty.
        case emptyField
        /// A JSON Lines row or a JSON file is not valid JSON, or not of the expected shape.
        case invalidJSON
        /// A value is of the wrong kind, for example a skill that is not a number.
        case invalidValue
        /// One task has two different gold labels.
        case conflictingGold
        /// A compressed (gzip) file is damaged, truncated or followed by bytes that are not gzip.
        case invalidCompression
        /// The data exceed a size limit: `tasks × labels` (or `workers × labels`) must stay below 2³¹,
        /// or there are more distinct labels than allowed.
        case tooLarge
        /// The header names one column twice.
        case duplicateColumn
    }

    /// The kind of problem.
    public let code: Code
    /// The file, as the user named it (`-` or `<stdin>` for standard input).
    public let file: String
    /// One-based line number, when the problem is on a line.
    public let line: Int?
    /// The column or key the problem is in, when there is one.
    public let field: String?
    /// What was found and what was expected.
    public let message: String

    /// An error about `file`, at `line` and `field` when known; `message` says what was found and
    /// what was expected.
    public init(_ code: Code, file: String, line: Int? = nil, field: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `file:line: field 'name'`, leaving out the parts that are not known; the ``description``
    /// is `file:line: field 'name': message`.
    public var location: String? {
        var s = file
        if let line { s += ":\(line)" }
        if let field { s += ": field '\(field)'" }
        return s
    }
}
