/// How a transcription is cut into words, and how words are put back together: the
/// tokenisations ROVER aligns and word error rate counts.
///
/// crowd-kit's `ROVER` takes two Python callables; a command line cannot, so Tally offers the
/// ones its users write, each exactly as Python computes it:
///
/// | tokenizer | Python | cuts |
/// |---|---|---|
/// | ``whitespace`` | `s.split()` | at runs of Unicode whitespace (`str.isspace`), no empty words |
/// | ``space`` | `s.split(" ")` | at every single space, keeping empty words (crowd-kit's tests and docstring) |
/// | ``character`` | `list(s)` | into Unicode scalars (code points) |
///
/// Words are compared as Python compares strings: by their code points (no Unicode
/// normalisation), so `"é"` precomposed and decomposed are different words.
///
///     TextTokenizer.space.words(in: "a  b")       // ["a", "", "b"]
///     TextTokenizer.whitespace.words(in: " a\tb ") // ["a", "b"]
public enum TextTokenizer: String, Sendable, CaseIterable {
    /// Python's `s.split()`: runs of whitespace separate words; leading and trailing whitespace
    /// give no word (so an empty or all-blank text has no words).
    case whitespace
    /// Python's `s.split(" ")`: every space separates two words, which may be empty (an empty
    /// text is one empty word).
    case space
    /// Python's `list(s)`: every Unicode scalar is a word.
    case character

    /// The words of `text`, as substrings of it.
    public func words(in text: String) -> [Substring] {
        var out: [Substring] = []
        forEachWord(in: text) { out.append(text[$0]) }
        return out
    }

    /// Calls `body` with the range of each word of `text`, in order.
    public func forEachWord(in text: String, _ body: (Range<String.Index>) -> Void) {
        switch self {
        case .space:
            let u = text.utf8
            var start = u.startIndex, i = u.startIndex
            while i != u.endIndex {
                if u[i] == 0x20 {
                    body(start..<i)
                    start = u.index(after: i)
                }
                i = u.index(after: i)
            }
            body(start..<u.endIndex)
        case .whitespace:
            let s = text.unicodeScalars
            var start: String.Index? = nil
            var i = s.startIndex
            while i != s.endIndex {
                let next = s.index(after: i)
                if Self.isPythonSpace(s[i]) {
                    if let b = start { body(b..<i); start = nil }
                } else if start == nil {
                    start = i
                }
                i = next
            }
            if let b = start { body(b..<s.endIndex) }
        case .character:
            let s = text.unicodeScalars
            var i = s.startIndex
            while i != s.endIndex {
                let next = s.index(after: i)
                body(i..<next)
                i = next
            }
        }
    }

    /// Whether Python's `str.isspace` holds for `c` (the separators of `str.split()`).
    public static func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

/// How aggregated words become one text again (crowd-kit's `detokenizer`).
public enum TextDetokenizer: String, Sendable, CaseIterable {
    /// Python's `" ".join(words)`.
    case space
    /// Python's `"".join(words)` (for ``TextTokenizer/character``).
    case concatenate

    /// The words joined.
    public func join<S: Sequence>(_ words: S) -> String where S.Element: StringProtocol {
        switch self {
        case .space: return words.joined(separator: " ")
        case .concatenate: return words.joined()
        }
    }
}

/// A word as Python compares it: equal when the UTF-8 bytes (so the code points) are equal.
///
/// Swift's `String` equality and hashing follow Unicode canonical equivalence; crowd-kit's
/// dictionaries of words do not, and this key keeps their behaviour.
public struct CodePointKey: Hashable, Sendable {
    /// The word.
    public let word: Substring

    /// The key of `word`.
    public init(_ word: Substring) { self.word = word }

    /// Equal UTF-8 bytes.
    public static func == (a: CodePointKey, b: CodePointKey) -> Bool { a.word.utf8.elementsEqual(b.word.utf8) }

    /// Hashes the UTF-8 bytes.
    public func hash(into hasher: inout Hasher) {
        let done: Void? = word.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { Array(word.utf8).withUnsafeBytes { hasher.combine(bytes: $0) } }
        hasher.combine(word.utf8.count)
    }
}
