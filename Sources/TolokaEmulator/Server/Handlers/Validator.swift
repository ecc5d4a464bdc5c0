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

    private func present(_ field: String) -> JSONValue? {
        guard let v = object[field], v != .null else { return nil }
        return v
    }

    @discardableResult
    mutating func string(_ field: String, required: Bool = false) -> String? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let s = v.stringValue else { fail(field, .string); return nil }
        return s
    }

    /// A string or an integer (ids may come either way).
    @discardableResult
    mutating func id(_ field: String, required: Bool = false) -> String? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        if let s = v.stringValue { return s }
        if case .int(let i) = v { return String(i) }
        fail(field, .string)
        return nil
    }

    @discardableResult
    mutating func integer(_ field: String, required: Bool = false, min: Int? = nil, max: Int? = nil) -> Int? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard case .int = v, let i = v.intValue else { fail(field, .integer); return nil }
        if let min, i < min { fail(field, .min(Double(min))); return nil }
        if let max, i > max { fail(field, .max(Double(max))); return nil }
        return i
    }

    @discardableResult
    mutating func number(_ field: String, required: Bool = false, min: Double? = nil) -> Double? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let d = v.doubleValue else { fail(field, .float); return nil }
        if let min, d < min { fail(field, .min(min)); return nil }
        return d
    }

    @discardableResult
    mutating func bool(_ field: String) -> Bool? {
        guard let v = present(field) else { return nil }
        guard let b = v.boolValue else { fail(field, .boolean); return nil }
        return b
    }

    @discardableResult
    mutating func object(_ field: String, required: Bool = false) -> [String: JSONValue]? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let o = v.objectValue else { fail(field, .object); return nil }
        return o
    }

    @discardableResult
    mutating func array(_ field: String, required: Bool = false) -> [JSONValue]? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let a = v.arrayValue else { fail(field, .array); return nil }
        return a
    }

    @discardableResult
    mutating func date(_ field: String, required: Bool = false) -> Double? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let s = v.stringValue, let t = TolokaTime.parse(s, accepting: [.dateOnly, .iso8601]) else { fail(field, .date); return nil }
        return t
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
