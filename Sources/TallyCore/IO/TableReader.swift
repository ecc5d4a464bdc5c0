/// Reads a small delimited table (TSV or CSV, header first) into strings, checking shape.
///
/// For side inputs — gold labels, skills, confusion matrices — where per-row cost does not
/// matter. Every row must have as many fields as the header; every cell must be UTF-8.
package struct TableReader: Sendable {
    /// The file's name as the user gave it (`<stdin>` for standard input).
    package let file: String
    /// The header's column names.
    package let header: [String]
    /// The data rows, each as long as the header.
    package let rows: [[String]]
    /// The line each row starts on.
    package let lines: [Int]

    /// Reads `path` (`-` for standard input); `required` columns must be in the header (a list
    /// of alternatives may stand for one column: `["label", "true_label"]`).
    /// - Parameter expecting: how errors describe the header, e.g. `task and label`.
    package static func read(_ path: String, required: [String] = [], alternatives: [[String]] = [], expecting: String? = nil, delimiter: UInt8? = nil) throws -> TableReader {
        let wantedText = expecting ?? (required + alternatives.map { $0.joined(separator: " or ") }).joined(separator: ", ")
        let source = try ByteSource(path: path)
        let file = source.name
        var scanner = DelimitedScanner(source, delimiter: delimiter)
        var header: [String]?
        var rows: [[String]] = []
        var lines: [Int] = []
        try scanner.forEach { fields, line in
            for f in fields where !isValidUTF8(f) {
                throw InputError(.invalidUTF8, file: file, line: line, field: header.map { $0[min(fields.firstIndex { $0.baseAddress == f.baseAddress } ?? 0, $0.count - 1)] },
                    "invalid UTF-8; expected text in UTF-8")
            }
            let values = fields.map { String(decoding: $0, as: UTF8.self) }
            guard let names = header else {
                let wanted = required.map { [$0] } + alternatives
                for options in wanted where !options.contains(where: values.contains) {
                    throw InputError(.missingColumn, file: file, line: line, field: options[0],
                        "missing column; expected a header naming \(wantedText), \(HeaderCheck.found(values))")
                }
                try HeaderCheck.requireUniqueNames(values, file: file, line: line)
                header = values
                return
            }
            guard values.count == names.count else {
                let field = values.count < names.count ? names[values.count] : "column \(names.count + 1)"
                throw InputError(.raggedRow, file: file, line: line, field: field, "row has \(values.count) fields, expected \(names.count) as in the header")
            }
            rows.append(values)
            lines.append(line)
        }
        guard let header else { throw InputError(.emptyFile, file: file, "the file is empty; expected a header naming \(wantedText)") }
        return TableReader(file: file, header: header, rows: rows, lines: lines)
    }

    /// The index of the first of `names` that the header holds.
    package func column(_ names: String...) -> Int? {
        for n in names { if let i = header.firstIndex(of: n) { return i } }
        return nil
    }
}
