import Foundation

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
        guard let s = v.string else { fail(field, .string); return nil }
        return s
    }

    /// A string or an integer (ids may come either way).
    @discardableResult
    mutating func id(_ field: String, required: Bool = false) -> String? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        if let s = v.string { return s }
        if case .int(let i) = v { return String(i) }
        fail(field, .string)
        return nil
    }

    @discardableResult
    mutating func integer(_ field: String, required: Bool = false, min: Int? = nil, max: Int? = nil) -> Int? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard case .int = v, let i = v.int else { fail(field, .integer); return nil }
        if let min, i < min { fail(field, .min(Double(min))); return nil }
        if let max, i > max { fail(field, .max(Double(max))); return nil }
        return i
    }

    @discardableResult
    mutating func number(_ field: String, required: Bool = false, min: Double? = nil) -> Double? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let d = v.number else { fail(field, .float); return nil }
        if let min, d < min { fail(field, .min(min)); return nil }
        return d
    }

    @discardableResult
    mutating func bool(_ field: String) -> Bool? {
        guard let v = present(field) else { return nil }
        guard let b = v.bool else { fail(field, .boolean); return nil }
        return b
    }

    @discardableResult
    mutating func object(_ field: String, required: Bool = false) -> [String: JSONValue]? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let o = v.object else { fail(field, .object); return nil }
        return o
    }

    @discardableResult
    mutating func array(_ field: String, required: Bool = false) -> [JSONValue]? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let a = v.array else { fail(field, .array); return nil }
        return a
    }

    @discardableResult
    mutating func date(_ field: String, required: Bool = false) -> Double? {
        guard let v = present(field) else { if required { fail(field, .required) }; return nil }
        guard let s = v.string, let t = TolokaTime.parse(s) else { fail(field, .date); return nil }
        return t
    }

    /// Checks a value against a field spec (`{"type": …, "required": …}`, spec §3.2); nil when it fits.
    static func check(_ value: JSONValue?, spec: JSONValue) -> FieldError? {
        let required = spec["required"]?.bool ?? true
        guard let value, value != .null else { return required ? .required : nil }
        let type = (spec["type"]?.string ?? "json").lowercased()
        if type.hasPrefix("array_") {
            guard let items = value.array else { return .array }
            if let min = spec["min_size"]?.int, items.count < min { return .min(Double(min)) }
            if let max = spec["max_size"]?.int, items.count > max { return .max(Double(max)) }
            let element: JSONValue = ["type": .string(String(type.dropFirst(6))), "required": true]
            return items.lazy.compactMap { check($0, spec: element) }.first
        }
        switch type {
        case "string":
            guard let s = value.string else { return .string }
            if let min = spec["min_length"]?.int, s.count < min { return .min(Double(min)) }
            if let max = spec["max_length"]?.int, s.count > max { return .max(Double(max)) }
            if let allowed = spec["allowed_values"]?.array, !allowed.contains(value) { return FieldError("VALUE_NOT_ALLOWED", "Value is not allowed") }
        case "url":
            guard let s = value.string else { return .string }
            guard let u = URL(string: s), u.scheme != nil, u.host != nil || u.scheme == "file" else { return .url }
        case "file", "coordinates":
            guard value.string != nil else { return .string }
        case "integer":
            guard case .int = value, let i = value.int else { return .integer }
            if let min = spec["min_value"]?.number, Double(i) < min { return .min(min) }
            if let max = spec["max_value"]?.number, Double(i) > max { return .max(max) }
            if let allowed = spec["allowed_values"]?.array, !allowed.contains(value) { return FieldError("VALUE_NOT_ALLOWED", "Value is not allowed") }
        case "float":
            guard let d = value.number else { return .float }
            if let min = spec["min_value"]?.number, d < min { return .min(min) }
            if let max = spec["max_value"]?.number, d > max { return .max(max) }
        case "boolean":
            guard value.bool != nil else { return .boolean }
        default:
            break  // json: anything
        }
        return nil
    }

    static let fieldTypes: Set<String> = ["boolean", "string", "integer", "float", "url", "file", "coordinates", "json",
                                          "array_boolean", "array_string", "array_integer", "array_float", "array_url",
                                          "array_file", "array_coordinates", "array_json"]
}
