import Foundation

/// Any JSON value: what reports, scenario files, Toloka's API objects and the emulator's
/// requests and responses are built from, read and written as.
///
/// Integers and floating-point numbers stay apart: `3` is ``int(_:)`` and `3.5` is ``double(_:)``,
/// so that a Toloka id or count makes the round trip exactly (beyond 2⁵³ too) and a writer can
/// choose how a float looks (``serialized(indent:sortedKeys:numbers:)``). A number that fits an
/// `Int64` is read as ``int(_:)`` even when written with a fraction or an exponent (`3.0`, `1e3`),
/// as Foundation's decoder reads it. Equality is structural: `.int(1) != .double(1)`.
///
/// Objects are dictionaries (key order is not kept); writers sort the keys by default, so that the
/// same value always gives the same bytes.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number that fits an `Int64`, kept exact.
    case int(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; key order is not kept.
    case object([String: JSONValue])

    /// The member `key` of an object; nil when it is missing or this is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The element at `index` of an array; nil when it is out of range or this is not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean, when this is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Any number as a `Double` (an integer beyond 2⁵³ rounded to the nearest one).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// An integer, or a float with an integral value within ±2⁵³ (`3.0` is 3; `3.5` is nil).
    public var intValue: Int? {
        switch self {
        case .int(let i): return Int(exactly: i)
        case .double(let d) where d == d.rounded() && abs(d) <= 9_007_199_254_740_992: return Int(d)
        default: return nil
        }
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, when this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }
}

// MARK: - Parsing and converting

extension JSONValue {
    /// Parses JSON text (UTF-8), with Foundation's parser.
    /// - Throws: `DecodingError.dataCorrupted` when the text is not JSON (empty, truncated, trailing
    ///   text, …); its `underlyingError` says where.
    public init(parsing data: Data) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Parses JSON text.
    /// - Throws: as parsing `Data` does.
    public init(parsing text: String) throws {
        try self.init(parsing: Data(text.utf8))
    }

    /// The JSON form of any encodable value (e.g. a chart spec or a Toloka model), as
    /// Foundation's `JSONEncoder` writes it.
    public init(encoding value: some Encodable) throws {
        self = try JSONValue(parsing: JSONEncoder().encode(value))
    }
}

extension JSONValue: Codable {
    /// Decodes any JSON value from a `Decoder` (integers that fit an `Int64` as ``int(_:)``).
    public init(from decoder: any Decoder) throws {
        // Containers first: most values in a document are inside one, and a failed scalar decode
        // costs an error each.
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            if let n = list.count { items.reserveCapacity(n) }
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(keyed.allKeys.count)
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(object)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
        }
    }

    /// Encodes the value into an `Encoder`, as it is.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Any object key.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// `"text"` as ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `3` as ``int(_:)``.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// `3.5` as ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `true` / `false` as ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `[…]` as ``array(_:)``.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// `nil` as ``null``.
    public init(nilLiteral: ()) { self = .null }
}
