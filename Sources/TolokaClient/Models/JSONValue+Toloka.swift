import Foundation
import TallyCore

/// Toloka's objects as JSON: the parts Tally passes through without interpreting them
/// (quality-control rules, operation details, unknown fields) are kept as ``JSONValue``s, and
/// written as Python's toloka-kit writes them (``JSONValue/NumberFormat/python``: `3.0` stays a float).
extension JSONValue {
    /// The value as text a person can read in a table cell: strings as they are, `null` as
    /// nothing, everything else as compact JSON.
    package var cellText: String {
        switch self {
        case .string(let s): return s
        case .null: return ""
        default: return serialized(numbers: .python)
        }
    }

    /// Decodes a model from this value.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try TolokaJSON.decoder.decode(T.self, from: TolokaJSON.encoder.encode(self))
    }

    /// Semantic equality for JSON: key order is irrelevant and `1` equals `1.0`.
    func semanticallyEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int, .double), (.double, .int), (.int, .int), (.double, .double):
            return doubleValue == other.doubleValue
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.semanticallyEquals($1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { k, v in b[k].map { v.semanticallyEquals($0) } ?? false }
        default:
            return self == other
        }
    }

    /// The paths where two JSON values differ (for test messages); empty when semantically equal.
    func differences(from other: JSONValue, path: String = "$") -> [String] {
        func text(_ v: JSONValue) -> String { v.serialized(numbers: .python) }
        switch (self, other) {
        case (.object(let a), .object(let b)):
            var out: [String] = []
            for k in Set(a.keys).union(b.keys).sorted() {
                switch (a[k], b[k]) {
                case (let x?, let y?): out += x.differences(from: y, path: "\(path).\(k)")
                case (nil, let y?): out.append("\(path).\(k): missing here, other has \(text(y))")
                case (let x?, nil): out.append("\(path).\(k): \(text(x)) here, missing in other")
                default: break
                }
            }
            return out
        case (.array(let a), .array(let b)) where a.count == b.count:
            return zip(a, b).enumerated().flatMap { $0.element.0.differences(from: $0.element.1, path: "\(path)[\($0.offset)]") }
        default:
            return semanticallyEquals(other) ? [] : ["\(path): \(text(self)) vs \(text(other))"]
        }
    }
}

/// The JSON coders Tally uses for Toloka's objects.
enum TolokaJSON {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static var decoder: JSONDecoder { JSONDecoder() }
}
