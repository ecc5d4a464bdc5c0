import Foundation
import TallyCore

extension JSONValue {
    /// The kind of value, as scenario errors name it ("expected a string, got a number").
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON node and its path, with typed accessors whose errors name the path and what was expected.
struct JSONNode {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func fail(_ code: ScenarioError.Code, _ key: String? = nil, _ message: String) -> ScenarioError {
        ScenarioError(code, path: key.map(child) ?? path, message)
    }

    /// The object's members; keys outside `allowed` are an error (`strict`) or returned as warnings.
    func object(allowed: [String], strict: Bool = true, warnings: inout [String]) throws(ScenarioError) -> [String: JSONValue] {
        guard case .object(let o) = value else { throw fail(.wrongType, nil, "expected an object, got \(value.typeName)") }
        for key in o.keys.sorted() where !allowed.contains(key) {
            let message = "unknown key; expected one of \(allowed.joined(separator: ", "))"
            if strict { throw ScenarioError(.unknownKey, path: child(key), message) }
            warnings.append("\(child(key)): ignored (not simulated)")
        }
        return o
    }

    func node(_ o: [String: JSONValue], _ key: String) -> JSONNode? {
        guard let v = o[key], v != .null else { return nil }
        return JSONNode(v, path: child(key))
    }

    func require(_ o: [String: JSONValue], _ key: String, _ what: String) throws(ScenarioError) -> JSONNode {
        guard let n = node(o, key) else { throw fail(.missingField, key, "missing; expected \(what)") }
        return n
    }

    var number: Double? { value.doubleValue }

    func double(in range: ClosedRange<Double>? = nil, _ what: String = "a number") throws(ScenarioError) -> Double {
        guard let d = number, d.isFinite else { throw fail(.wrongType, nil, "expected \(what), got \(value.typeName)") }
        if let range, !range.contains(d) {
            throw fail(.invalidValue, nil, "expected \(what) from \(scenarioNumber(range.lowerBound)) to \(scenarioNumber(range.upperBound)), got \(scenarioNumber(d))")
        }
        return d
    }

    func int(in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        guard let d = number, d.isFinite, d == d.rounded(), abs(d) < 9e15 else {
            throw fail(.wrongType, nil, "expected an integer, got \(value.typeName == "a number" ? scenarioNumber(number ?? .nan) : value.typeName)")
        }
        let i = Int(d)
        guard range.contains(i) else { throw fail(.invalidValue, nil, "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(i)") }
        return i
    }

    func bool() throws(ScenarioError) -> Bool {
        guard case .bool(let b) = value else { throw fail(.wrongType, nil, "expected true or false, got \(value.typeName)") }
        return b
    }

    func string() throws(ScenarioError) -> String {
        guard case .string(let s) = value else { throw fail(.wrongType, nil, "expected a string, got \(value.typeName)") }
        return s
    }

    func array() throws(ScenarioError) -> [JSONNode] {
        guard case .array(let a) = value else { throw fail(.wrongType, nil, "expected an array, got \(value.typeName)") }
        return a.enumerated().map { JSONNode($0.element, path: "\(path)[\($0.offset)]") }
    }

    func choice(_ allowed: [String]) throws(ScenarioError) -> String {
        let s = try string()
        guard allowed.contains(s) else { throw fail(.invalidValue, nil, "expected one of \(allowed.joined(separator: ", ")), got \"\(s)\"") }
        return s
    }
}

/// A number as scenarios, their errors and study tables show it: an integral value without a
/// fraction (`3`), any other in Swift's shortest round-trip form (`0.25`).
package func scenarioNumber(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\(d)"
}
