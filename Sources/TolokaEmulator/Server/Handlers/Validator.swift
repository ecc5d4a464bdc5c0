import Foundation
import TallyCore

/// Collects field errors of one object, keyed by dotted path (`defaults.default_overlap_for_new_task_suites`).
struct Validator {
    var errors: [String: FieldError] = [:]
    let object: [String: JSONValue]
    let prefix: String

    init(_ object: [String: JSONValue], prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    var isValid: Bool { errors.isEmpty }

    mutating func fail(_ field: String, _ e: FieldError) {
        let path = prefix.isEmpty ? field : "\(prefix).\(field)"
        if errors[path] == nil { errors[path] = e }
    }

    /// The field's value read by `read`: nil (and `VALUE_REQUIRED` when `required`) when it is
    /// missing or null, nil and `wrongType` when `read` cannot take it.
    private mutating func value<T>(_ field: String, required: Bool, _ wrongType: FieldError, _ read: (JSONValue) -> T?) -> T? {
        guard let v = object[field], v != .null else {
            if required { fail(field, .required) }
            return nil
        }
        guard let value = read(v) else {
            fail(field, wrongType)
            return nil
        }
        return value
    }

    /// Keeps `value` when it is within `min`…`max`; otherwise fails the field and returns nil.
    private mutating func bounded<T: Comparable>(_ field: String, _ value: T?, min: T?, max: T?, _ number: (T) -> Double) -> T? {
        guard let value else { return nil }
        if let min, value < min { fail(field, .min(number(min))); return nil }
        if let max, value > max { fail(field, .max(number(max))); return nil }
        return value
    }

    /// The field's string; with `maxLength`, a longer one fails with `STRING_LENGTH_GREATER_THAN_MAX`
    /// (and nil), and with `nonBlank` an empty or all-space one with `BLANK_STRING_NOT_ALLOWED`.
    @discardableResult
    mutating func string(_ field: String, required: Bool = false, maxLength: Int? = nil, nonBlank: Bool = false) -> String? {
        guard let s = value(field, required: required, .string, \.stringValue) else { return nil }
        if let maxLength, s.count > maxLength {
            fail(field, FieldError("STRING_LENGTH_GREATER_THAN_MAX", "String length must be at most \(maxLength) characters, got \(s.count)", params: [.int(Int64(maxLength))]))
            return nil
        }
        if nonBlank, s.allSatisfy(\.isWhitespace) {
            fail(field, FieldError("BLANK_STRING_NOT_ALLOWED", "Value must not be blank"))
            return nil
        }
        return s
    }

    /// A string or an integer (ids may come either way).
    @discardableResult
    mutating func id(_ field: String, required: Bool = false) -> String? {
        value(field, required: required, .string) { v in
            if case .int(let i) = v { String(i) } else { v.stringValue }
        }
    }

    @discardableResult
    mutating func integer(_ field: String, required: Bool = false, min: Int? = nil, max: Int? = nil) -> Int? {
        let i = value(field, required: required, .integer) { v in
            if case .int = v { v.intValue } else { nil }
        }
        return bounded(field, i, min: min, max: max) { Double($0) }
    }

    @discardableResult
    mutating func number(_ field: String, required: Bool = false, min: Double? = nil, max: Double? = nil) -> Double? {
        bounded(field, value(field, required: required, .float, \.doubleValue), min: min, max: max) { $0 }
    }

    @discardableResult
    mutating func bool(_ field: String) -> Bool? {
        value(field, required: false, .boolean, \.boolValue)
    }

    @discardableResult
    mutating func object(_ field: String, required: Bool = false) -> [String: JSONValue]? {
        value(field, required: required, .object, \.objectValue)
    }

    @discardableResult
    mutating func array(_ field: String, required: Bool = false) -> [JSONValue]? {
        value(field, required: required, .array, \.arrayValue)
    }

    @discardableResult
    mutating func date(_ field: String, required: Bool = false) -> Double? {
        value(field, required: required, .date) { v in v.stringValue.flatMap { TolokaTime.parse($0, accepting: [.dateOnly, .iso8601]) } }
    }

    /// Checks a value against a field spec (`{"type": …, "required": …}` of a project's `input_spec` or `output_spec`); nil when it fits.
    static func check(_ value: JSONValue?, spec: JSONValue) -> FieldError? {
        let required = spec["required"]?.boolValue ?? true
        guard let value, value != .null else { return required ? .required : nil }
        let type = (spec["type"]?.stringValue ?? "json").lowercased()
        if type.hasPrefix("array_") {
            guard let items = value.arrayValue else { return .array }
            if let min = spec["min_size"]?.intValue, items.count < min { return .min(Double(min)) }
            if let max = spec["max_size"]?.intValue, items.count > max { return .max(Double(max)) }
            let element: JSONValue = ["type": .string(String(type.dropFirst(6))), "required": true]
            return items.lazy.compactMap { check($0, spec: element) }.first
        }
        switch type {
        case "string":
            guard let s = value.stringValue else { return .string }
            if let min = spec["min_length"]?.intValue, s.count < min { return .min(Double(min)) }
            if let max = spec["max_length"]?.intValue, s.count > max { return .max(Double(max)) }
            if let allowed = spec["allowed_values"]?.arrayValue, !allowed.contains(value) { return FieldError("VALUE_NOT_ALLOWED", "Value is not allowed") }
        case "url":
            guard let s = value.stringValue else { return .string }
            guard let u = URL(string: s), u.scheme != nil, u.host != nil || u.scheme == "file" else { return .url }
        case "file", "coordinates":
            guard value.stringValue != nil else { return .string }
        case "integer":
            guard case .int = value, let i = value.intValue else { return .integer }
            if let min = spec["min_value"]?.doubleValue, Double(i) < min { return .min(min) }
            if let max = spec["max_value"]?.doubleValue, Double(i) > max { return .max(max) }
            if let allowed = spec["allowed_values"]?.arrayValue, !allowed.contains(value) { return FieldError("VALUE_NOT_ALLOWED", "Value is not allowed") }
        case "float":
            guard let d = value.doubleValue else { return .float }
            if let min = spec["min_value"]?.doubleValue, d < min { return .min(min) }
            if let max = spec["max_value"]?.doubleValue, d > max { return .max(max) }
        case "boolean":
            guard value.boolValue != nil else { return .boolean }
        default:
            break  // json: anything
        }
        return nil
    }

    static let fieldTypes: Set<String> = ["boolean", "string", "integer", "float", "url", "file", "coordinates", "json",
                                          "array_boolean", "array_string", "array_integer", "array_float", "array_url",
                                          "array_file", "array_coordinates", "array_json"]
}

extension JSONValue {
    /// A request body as a JSON object, or Toloka's 400 `VALIDATION_ERROR` when it is anything else.
    func requestObject() throws -> [String: JSONValue] {
        guard let o = objectValue else { throw APIError(400, "VALIDATION_ERROR", "Expected a JSON object") }
        return o
    }
}
