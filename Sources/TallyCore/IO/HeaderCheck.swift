/// Checks every reader applies to a header line.
enum HeaderCheck {
    /// Throws ``InputError/Code/duplicateColumn`` for the first column name that appears twice
    /// (compared byte for byte): a reader could not tell which of the two is meant.
    static func requireUniqueNames(_ names: [String], file: String, line: Int) throws {
        var seen = Interner(capacity: names.count)
        var firstColumn: [Int] = []
        for (i, name) in names.enumerated() {
            let before = seen.count
            let id = Int(seen.intern(name))
            if seen.count == before {
                throw InputError(.duplicateColumn, file: file, line: line, field: name,
                    "column name appears twice (columns \(firstColumn[id] + 1) and \(i + 1)); expected each column named once")
            }
            firstColumn.append(i)
        }
    }

    /// `found N columns: 'a', 'b', … and M more` (the first few names, each cut if long).
    static func found(_ names: [String]) -> String {
        names.count <= 12 ? "found \(ErrorText.list(names, limit: 12))" : "found \(names.count) columns: \(ErrorText.list(names, limit: 10))"
    }
}
