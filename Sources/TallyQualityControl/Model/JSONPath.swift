import Foundation

/// A coding key made at run time, for building JSON paths and error locations.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
    init(_ name: String) { self.stringValue = name }
}

/// Renders a coding path the way a person reads JSON: `configs[0].rules[1].action`.
func jsonPath(_ path: [any CodingKey]) -> String {
    var s = ""
    for key in path {
        if let i = key.intValue, key.stringValue == "Index \(i)" || key.stringValue == "\(i)" {
            s += "[\(i)]"
        } else {
            if !s.isEmpty { s += "." }
            s += key.stringValue
        }
    }
    return s
}

/// A `DecodingError` whose message is already written for a person.
func invalid(_ path: [any CodingKey], _ message: String) -> DecodingError {
    DecodingError.dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: message))
}

extension QualityControlError {
    /// Translates Foundation's decoding errors into one naming the JSON path and what was expected.
    init(_ error: DecodingError, prefix: [any CodingKey] = []) {
        func describe(_ type: Any.Type) -> String {
            switch type {
            case is Int.Type, is Int32.Type, is Int64.Type: return "an integer"
            case is Double.Type, is Float.Type: return "a number"
            case is String.Type: return "a string"
            case is Bool.Type: return "true or false"
            case is [Any].Type: return "an array"
            case is [String: Any].Type: return "an object"
            default:
                let name = String(describing: type)
                if name.hasPrefix("Array") || name.hasPrefix("UnkeyedDecodingContainer") { return "an array" }
                if name.contains("Keyed") || name.contains("Dictionary") { return "an object" }
                return name
            }
        }
        switch error {
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty, let underlying = c.underlyingError {
                self.init(.invalidJSON, path: jsonPath(prefix), "not valid JSON (\(underlying.localizedDescription))")
            } else if c.codingPath.isEmpty && c.debugDescription.lowercased().contains("json") {
                self.init(.invalidJSON, path: jsonPath(prefix), "not valid JSON (\(c.debugDescription))")
            } else {
                self.init(.invalidValue, path: jsonPath(prefix + c.codingPath), c.debugDescription)
            }
        case .keyNotFound(let key, let c):
            self.init(.missingField, path: jsonPath(prefix + c.codingPath + [key]), "missing; this field is required")
        case .typeMismatch(let type, let c):
            self.init(.wrongType, path: jsonPath(prefix + c.codingPath), "expected \(describe(type))")
        case .valueNotFound(let type, let c):
            self.init(.wrongType, path: jsonPath(prefix + c.codingPath), "expected \(describe(type)), got null")
        @unknown default:
            self.init(.invalidJSON, path: jsonPath(prefix), "\(error)")
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a string enumeration, naming the allowed spellings when the value is not one of them.
    func decodeEnum<E: RawRepresentable & CaseIterable>(_ type: E.Type, forKey key: Key, allowed: [E]? = nil) throws -> E where E.RawValue == String {
        let raw = try decode(String.self, forKey: key)
        let choices = allowed ?? Array(E.allCases)
        guard let value = E(rawValue: raw), choices.contains(where: { $0.rawValue == value.rawValue }) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                debugDescription: "expected one of \(choices.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"")
        }
        return value
    }

    /// Decodes an integer that must lie in `range`.
    func decodeInt(forKey key: Key, in range: ClosedRange<Int>) throws -> Int {
        let v = try decode(Int.self, forKey: key)
        guard range.contains(v) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(v)")
        }
        return v
    }

    /// Decodes an optional integer that must lie in `range` when present.
    func decodeIntIfPresent(forKey key: Key, in range: ClosedRange<Int>) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeInt(forKey: key, in: range)
    }
}
