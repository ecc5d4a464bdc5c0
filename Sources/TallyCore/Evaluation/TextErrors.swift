/// Word error rate of texts against gold texts: word-level edit distance (substitutions,
/// deletions, insertions) summed over the scored tasks, over the gold texts' word count (the
/// corpus-level WER jiwer reports). Words are split on whitespace and compared exactly.
///
/// ```swift
/// let e = TextErrors(texts: ["t1": "the cat sat"], gold: ["t1": "the cat sat down"])
/// e.wer         // 0.25  (one deletion over four gold words)
/// e.exactMatch  // 0.0
/// ```
public struct TextErrors: Sendable, Equatable {
    /// Gold tasks that have a text.
    public let scored: Int
    /// All gold tasks given.
    public let goldTasks: Int
    /// Edits over gold words, summed over scored tasks (NaN when none is or they have no words).
    public let wer: Double
    /// Share of scored tasks whose text equals the gold word for word (NaN when none is scored).
    public let exactMatch: Double
    /// Word edits summed over scored tasks.
    public let edits: Int
    /// Gold words summed over scored tasks.
    public let goldWords: Int

    /// Scores `texts` (task → text) against `gold` (task → text).
    public init(texts: [String: String], gold: [String: String]) {
        var edits = 0, words = 0, exact = 0, n = 0
        for (task, truth) in gold {
            guard let text = texts[task] else { continue }
            let reference = Self.words(truth), hypothesis = Self.words(text)
            let d = Self.editDistance(reference, hypothesis)
            edits += d
            words += reference.count
            if d == 0 { exact += 1 }
            n += 1
        }
        scored = n
        goldTasks = gold.count
        self.edits = edits
        goldWords = words
        wer = words == 0 ? .nan : Double(edits) / Double(words)
        exactMatch = n == 0 ? .nan : Double(exact) / Double(n)
    }

    /// The words of `text`: maximal runs of non-whitespace characters.
    public static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0.isWhitespace })
    }

    /// The Levenshtein distance between two word lists (unit costs).
    public static func editDistance(_ a: [Substring], _ b: [Substring]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] : 1 + min(previous[j - 1], previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
