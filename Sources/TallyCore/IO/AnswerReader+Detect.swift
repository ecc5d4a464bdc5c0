extension AnswerReader {
    /// The kind of answers a crowd-kit file's header shows, without reading the rows: pairwise
    /// for `left, right, label` without `task`; numeric for a `value` column, text for a `text`
    /// column and multi-label for a `labels` column (each without `label`); categorical
    /// otherwise, and for Arrow files, Toloka exports and JSON Lines (whose kind the header does
    /// not tell). A categorical file of numbers (such as `vldb-emotion`) is detected by its
    /// labels, not here: see ``LabelSet/isNumeric``.
    ///
    /// - Throws: ``InputError`` for a file that cannot be opened or is empty.
    public static func detectType(_ path: String) throws -> AnswerType {
        if isArrow(path) { return .categorical }
        let source = try ByteSource(path: path)
        guard try sniffFormat(source, path: path) == .crowdkit else { return .categorical }
        let header = try headerNames(source, delimiter: nil)
        if ["left", "right", "label"].allSatisfy(header.contains) && !header.contains("task") { return .pairwise }
        guard header.contains("task"), !header.contains("label") else { return .categorical }
        if header.contains("value") { return .numeric }
        if header.contains("text") { return .text }
        if header.contains("labels") { return .multiLabel }
        return .categorical
    }
}
