/// Text from an input file made safe to show in an error message.
///
/// Error messages quote what they found (a label, a task, a header), and that text comes from
/// files nobody vetted. ``sanitized(_:)`` is applied once to every ``LocatedError``'s
/// ``LocatedError/description``: it escapes control characters (so a name holding
/// `ESC ] 0 ; … BEL` cannot retitle or clear the terminal that prints it) and cuts the middle of a
/// message longer than ``messageLimit`` characters. Messages that quote values use ``value(_:)``,
/// ``quoted(_:)`` and ``list(_:limit:)`` so that one long value or a long list is cut where it is,
/// and the rest of the message stays readable:
///
///     ErrorText.quoted("a\u{1B}[31m")         // 'a\u{1B}[31m'
///     ErrorText.list(["a", "b", "c"], limit: 2)  // 'a', 'b' and 1 more
public enum ErrorText {
    /// The longest message, in Unicode scalars, that ``sanitized(_:)`` leaves whole.
    public static let messageLimit = 1_000
    /// The longest value, in Unicode scalars, that ``value(_:)`` leaves whole.
    public static let valueLimit = 100

    /// `text` with control characters escaped and, beyond ``messageLimit`` scalars, its middle
    /// replaced by `… (N characters left out) …`.
    ///
    /// Escaped: C0 controls and DEL (`\t`, `\n`, `\r` by name, the others as `\u{1B}`), C1 controls
    /// (U+0080–U+009F, which some terminals read as escape sequences), and the characters that
    /// reorder or hide text (bidirectional overrides and isolates, line and paragraph separators,
    /// zero-width joiners are left alone as they are part of ordinary scripts).
    public static func sanitized(_ text: String) -> String {
        let escaped = escape(text)
        let scalars = escaped.unicodeScalars
        guard scalars.count > messageLimit else { return escaped }
        let head = messageLimit * 6 / 10, tail = messageLimit * 3 / 10
        let left = scalars.count - head - tail
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(head))
        out.append(contentsOf: " … (\(left) characters left out) … ".unicodeScalars)
        out.append(contentsOf: scalars.suffix(tail))
        return String(out)
    }

    /// One value from the input, escaped, and cut in the middle when longer than `limit` scalars
    /// (`abc…xyz (2000 characters)`).
    public static func value(_ text: String, limit: Int = valueLimit) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return escape(text) }
        let head = String(String.UnicodeScalarView(scalars.prefix(limit * 6 / 10)))
        let tail = String(String.UnicodeScalarView(scalars.suffix(limit * 2 / 10)))
        return escape(head) + "…" + escape(tail) + " (\(scalars.count) characters)"
    }

    /// ``value(_:limit:)`` in single quotes.
    public static func quoted(_ text: String, limit: Int = valueLimit) -> String { "'\(value(text, limit: limit))'" }

    /// Up to `limit` values, each ``quoted(_:limit:)``, joined by `, `, then `and N more`.
    public static func list<C: Collection>(_ values: C, limit: Int = 10) -> String where C.Element == String {
        let shown = values.prefix(limit).map { quoted($0, limit: 40) }.joined(separator: ", ")
        let more = values.count - min(values.count, limit)
        return more > 0 ? shown + " and \(more) more" : shown
    }

    /// Whether `scalar` is escaped by ``sanitized(_:)``.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            guard needsEscape(s) else { out.append(s); continue }
            switch s {
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                let hex = String(s.value, radix: 16, uppercase: true)
                out.append(contentsOf: "\\u{\(hex.count < 2 ? "0" + hex : hex)}".unicodeScalars)
            }
        }
        return String(out)
    }
}
