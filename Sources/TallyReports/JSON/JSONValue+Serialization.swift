import Foundation

extension JSONValue {
    /// The value as JSON text, byte for byte the same for the same value.
    ///
    /// Keys are sorted (by their UTF-8 bytes, as Python's `sort_keys` sorts ASCII keys); an
    /// integral number within ±2⁵³ is written without a fraction (`3`, not `3.0`), any other in
    /// Swift's shortest round-trip form; non-finite numbers become `null`. Non-ASCII text is
    /// written as UTF-8, only `"`, `\` and control characters are escaped.
    ///
    /// - Parameter indent: spaces per level, with one element or key per line and `": "` after
    ///   keys (Jupyter writes notebooks with 1, as `json.dumps(indent=1, sort_keys=True)`);
    ///   `nil` for compact text with no spaces at all.
    public func serialized(indent: Int? = nil) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0)
        return out
    }

    private func write(to out: inout String, indent: Int?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): out += Self.format(x)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let a):
            guard !a.isEmpty else { out += "[]"; return }
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                Self.newline(&out, indent, level + 1)
                v.write(to: &out, indent: indent, level: level + 1)
            }
            Self.newline(&out, indent, level)
            out += "]"
        case .object(let o):
            guard !o.isEmpty else { out += "{}"; return }
            out += "{"
            for (i, key) in o.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if i > 0 { out += "," }
                Self.newline(&out, indent, level + 1)
                Self.quote(key, into: &out)
                out += indent == nil ? ":" : ": "
                o[key]!.write(to: &out, indent: indent, level: level + 1)
            }
            Self.newline(&out, indent, level)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: " ", count: indent * level)
    }

    /// A number as JSON: integral values as integers, others in the shortest form that reads back
    /// as the same `Double`.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded(), abs(x) <= 9_007_199_254_740_992 {
            return x == 0 ? "0" : String(Int64(x))
        }
        // Swift's description is the shortest round-trip form, and valid JSON ("1e-05", "0.25").
        return "\(x)"
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
