/// A minimal reader of one flat JSON object, for JSON Lines answers.
///
/// Unlike Foundation's parser it keeps a number's spelling (`1.50` stays `1.50`), so a numeric
/// label in JSON means the same label as in a TSV file. Nested objects and arrays are checked
/// against JSON's grammar (matching brackets, commas and colons in their places, keys that are
/// strings, at most ``maxDepth`` levels deep) and skipped; only string, number and literal values
/// are returned.
struct FlatJSON {
    enum Value: Equatable {
        case string(String)
        case number(String)
        case literal(String)  // true, false, null
        case nested
    }

    struct SyntaxError: Error { let message: String }

    /// The deepest nesting of arrays and objects accepted inside a value (deeper is refused, so a
    /// line of 100,000 `[` costs no more than any other).
    static let maxDepth = 512

    /// The object's members, in order (a repeated key keeps its last value, as in most parsers).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> [String: Value] {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        guard p.peek() == UInt8(ascii: "{") else { throw SyntaxError(message: "expected a JSON object starting with {") }
        p.i += 1
        var members: [String: Value] = [:]
        p.skipSpace()
        if p.peek() == UInt8(ascii: "}") {
            p.i += 1
        } else {
            while true {
                p.skipSpace()
                let key = try p.string()
                p.skipSpace()
                guard p.peek() == UInt8(ascii: ":") else { throw SyntaxError(message: "expected : after a key") }
                p.i += 1
                p.skipSpace()
                members[key] = try p.value()
                p.skipSpace()
                let c = p.peek()
                p.i += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "}") { break }
                throw SyntaxError(message: "expected , or } in an object")
            }
        }
        p.skipSpace()
        guard p.i == bytes.count else { throw SyntaxError(message: "unexpected text after the object") }
        return members
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func value() throws -> Value {
            guard let c = peek() else { throw SyntaxError(message: "expected a value") }
            switch c {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                try skipNested()
                return .nested
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                for word in ["true", "false", "null"] where matches(word) {
                    i += word.utf8.count
                    return .literal(word)
                }
                throw SyntaxError(message: "expected a value")
            default:
                return .number(try number())
            }
        }

        func matches(_ word: String) -> Bool {
            let w = Array(word.utf8)
            return i + w.count <= bytes.count && (0..<w.count).allSatisfy { bytes[i + $0] == w[$0] }
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
        mutating func number() throws -> String {
            let start = i
            func digits() -> Int {
                let s = i
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
                return i - s
            }
            if peek() == UInt8(ascii: "-") { i += 1 }
            if peek() == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { throw SyntaxError(message: "expected a value") }
            if peek() == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { throw SyntaxError(message: "expected digits after the decimal point") }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                i += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw SyntaxError(message: "expected digits in the exponent") }
            }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        }

        mutating func string() throws -> String {
            guard peek() == UInt8(ascii: "\"") else { throw SyntaxError(message: "expected a string in double quotes") }
            i += 1
            var out: [UInt8] = []
            while true {
                guard let c = peek() else { throw SyntaxError(message: "unterminated string") }
                i += 1
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw SyntaxError(message: "control character in a string") }
                if c != UInt8(ascii: "\\") { out.append(c); continue }
                guard let e = peek() else { throw SyntaxError(message: "unterminated string") }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard matches("\\u") else { throw SyntaxError(message: "unpaired surrogate in a \\u escape") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw SyntaxError(message: "unpaired surrogate in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw SyntaxError(message: "invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw SyntaxError(message: "invalid escape in a string")
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count else { throw SyntaxError(message: "invalid \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                i += 1
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw SyntaxError(message: "invalid \\u escape")
                }
                v = v << 4 | d
            }
            return v
        }

        /// Checks and skips one array or object (the parser is on its `[` or `{`), without
        /// recursion: `closers` holds the bracket each open level expects.
        mutating func skipNested() throws {
            var closers: [UInt8] = []
            var expectValue = true  // after `[`, `,` in an array, or `:`
            while true {
                skipSpace()
                guard let c = peek() else { throw SyntaxError(message: "unterminated object or array") }
                if expectValue {
                    if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                        guard closers.count < FlatJSON.maxDepth else {
                            throw SyntaxError(message: "arrays and objects nested more than \(FlatJSON.maxDepth) deep")
                        }
                        i += 1
                        closers.append(c == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}"))
                        skipSpace()
                        if peek() == closers.last {
                            // An empty array or object.
                            i += 1
                            closers.removeLast()
                            expectValue = false
                        } else if c == UInt8(ascii: "{") {
                            try member()
                        }
                        if closers.isEmpty { return }
                        continue
                    }
                    _ = try scalarValue()
                    expectValue = false
                    continue
                }
                // After a value: `,` or the closing bracket of the current level.
                i += 1
                if c == UInt8(ascii: ",") {
                    if closers.last == UInt8(ascii: "}") { try member() }
                    expectValue = true
                } else if c == closers.last {
                    closers.removeLast()
                    if closers.isEmpty { return }
                } else {
                    throw SyntaxError(message: closers.last == UInt8(ascii: "]") ? "expected , or ] in an array" : "expected , or } in an object")
                }
            }
        }

        /// A key and its colon inside an object being skipped; the value comes next.
        private mutating func member() throws {
            skipSpace()
            _ = try string()
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw SyntaxError(message: "expected : after a key") }
            i += 1
        }

        /// A string, number or literal (not an array or object).
        private mutating func scalarValue() throws -> Value {
            guard let c = peek(), c != UInt8(ascii: "["), c != UInt8(ascii: "{") else { throw SyntaxError(message: "expected a value") }
            return try value()
        }
    }
}
