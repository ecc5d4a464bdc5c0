import Foundation

extension JSONValue {
    /// How a writer spells a float (``double(_:)``). An integer (``int(_:)``) is always written
    /// exactly as it is, and a float that is not finite as `null` (JSON has no NaN or infinity).
    public enum NumberFormat: Sendable, Hashable {
        /// An integral float within ±2⁵³ without a fraction (`3`; `-0.0` as `0`), any other in
        /// Swift's shortest round-trip form (`0.25`, `1e-05`, `1e+16`), as JavaScript and
        /// Foundation's `JSONEncoder` write numbers. Reports, charts and notebooks use it.
        case shortest
        /// A float always looks like one: an integral value below 10¹⁵ with `.0` (`3.0`, `-0.0`),
        /// any other in Swift's shortest round-trip form, as Python's `json.dumps` writes floats,
        /// so that a Python reader (toloka-kit) gets a `float` where a float was sent. Toloka's
        /// API payloads use it (the client's requests, the emulator's responses).
        case python
    }

    /// The value as JSON text, byte for byte the same for the same value and options.
    ///
    /// Text is written as UTF-8; only `"`, `\` and control characters are escaped (`\n`, `\r`,
    /// `\t`, `\b`, `\f`, else `\u00XX`), as Python's `json.dumps(ensure_ascii=False)` does.
    ///
    /// - Parameters:
    ///   - indent: spaces per level, with one element or member per line and `": "` after keys
    ///     (Jupyter writes notebooks with 1, as `json.dumps(indent=1, sort_keys=True)`); `nil` for
    ///     compact text with no spaces at all.
    ///   - sortedKeys: object keys in the order of their UTF-8 bytes (Python's `sort_keys`); when
    ///     false, in the dictionary's order, which is not stable from run to run.
    ///   - numbers: how floats are spelled.
    public func serialized(indent: Int? = nil, sortedKeys: Bool = true, numbers: NumberFormat = .shortest) -> String {
        var out: [UInt8] = []
        write(to: &out, indent: indent, sortedKeys: sortedKeys, numbers: numbers)
        return String(decoding: out, as: UTF8.self)
    }

    /// The value as JSON text in UTF-8; the options as in ``serialized(indent:sortedKeys:numbers:)``.
    public func serializedData(indent: Int? = nil, sortedKeys: Bool = true, numbers: NumberFormat = .shortest) -> Data {
        var out: [UInt8] = []
        write(to: &out, indent: indent, sortedKeys: sortedKeys, numbers: numbers)
        return Data(out)
    }

    /// Appends the value's JSON text in UTF-8 to `out`; the options as in
    /// ``serialized(indent:sortedKeys:numbers:)``.
    public func write(to out: inout [UInt8], indent: Int? = nil, sortedKeys: Bool = true, numbers: NumberFormat = .shortest) {
        out.reserveCapacity(out.count + 256)
        JSONWriter(indent: indent, sortedKeys: sortedKeys, numbers: numbers).write(self, level: 0, to: &out)
    }
}

/// The one JSON writer behind ``JSONValue/serialized(indent:sortedKeys:numbers:)``.
private struct JSONWriter {
    let indent: Int?
    let sortedKeys: Bool
    let numbers: JSONValue.NumberFormat

    func write(_ value: JSONValue, level: Int, to out: inout [UInt8]) {
        switch value {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .double(let d): out += Self.format(d, numbers).utf8
        case .string(let s): Self.quote(s, to: &out)
        case .array(let a):
            guard !a.isEmpty else { out += "[]".utf8; return }
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, &out)
                write(v, level: level + 1, to: &out)
            }
            newline(level, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            guard !o.isEmpty else { out += "{}".utf8; return }
            out.append(UInt8(ascii: "{"))
            let keys = sortedKeys ? o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } : Array(o.keys)
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, &out)
                Self.quote(key, to: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                write(o[key]!, level: level + 1, to: &out)
            }
            newline(level, &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    func newline(_ level: Int, _ out: inout [UInt8]) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    static func format(_ d: Double, _ numbers: JSONValue.NumberFormat) -> String {
        guard d.isFinite else { return "null" }
        switch numbers {
        case .shortest:
            if d == d.rounded(), abs(d) <= 9_007_199_254_740_992 { return d == 0 ? "0" : String(Int64(d)) }
        case .python:
            if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        }
        // Swift's description is the shortest form that reads back as the same Double, and valid
        // JSON ("0.25", "1e-05", "1e+16").
        return "\(d)"
    }

    static func quote(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += "\\u00".utf8
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
