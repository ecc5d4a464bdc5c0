import Foundation
import TallyCore

/// A request body read before the request reaches ``EmulatorState``, so that one large body does
/// not hold up every other client: the server parses each JSON body in the request's own task,
/// concurrently with the others, and the actor, which answers one request at a time, only uses
/// the result. A task upload with more tasks than one request may carry is refused from a count
/// of its top-level array's elements, without parsing it at all; one whose tasks' `input_values`
/// or known solutions' `output_values` exceed Toloka's per-request totals is refused once parsed
/// (``EmulatorStore/taskPayloadError(_:)``), so the actor never creates more than one request's
/// worth of tasks at a time.
enum PreparedBody: Sendable {
    /// The parsed JSON.
    case json(JSONValue)
    /// The body is not JSON (400 `VALIDATION_ERROR`).
    case malformed
    /// A task upload over a per-request limit (413 for the count, 400 for the payload size).
    case tooLarge(APIError)

    /// The body of `request` prepared, or nil when the route handler should read it itself (no
    /// body, or a declared content type other than JSON, which the handler answers with 415).
    static func prepare(_ request: EmulatorRequest) -> PreparedBody? {
        guard !request.body.isEmpty else { return nil }
        if let type = request.headers["content-type"], !type.lowercased().contains("json") { return nil }
        if request.method == "POST", request.path == "/api/v1/tasks", let count = topLevelArrayCount(request.body),
           let error = EmulatorStore.taskCountError(count, asyncMode: request.query["async_mode"]?.lowercased() == "true") {
            return .tooLarge(error)
        }
        guard let value = try? JSONValue(parsing: request.body) else { return .malformed }
        if request.method == "POST", request.path == "/api/v1/tasks", let error = EmulatorStore.taskPayloadError(value) {
            return .tooLarge(error)
        }
        return .json(value)
    }

    /// The body of `request` prepared, and for a task upload each item's crowd key
    /// (``CrowdTask/key(inputs:)`` of its `input_values`, in item order): serialising and hashing
    /// thousands of input values is the larger part of an upload's work, so it is done here, in
    /// the request's own task, and the actor only looks the keys up.
    static func prepareWithKeys(_ request: EmulatorRequest) -> (PreparedBody?, [UInt64]?) {
        let prepared = prepare(request)
        guard request.method == "POST", request.path == "/api/v1/tasks", case .json(let value)? = prepared else { return (prepared, nil) }
        let items: [JSONValue]
        switch value {
        case .array(let a): items = a
        case .object: items = [value]
        default: return (prepared, nil)
        }
        return (prepared, items.map { CrowdTask.key(inputs: $0["input_values"]?.objectValue ?? [:]) })
    }

    /// The number of elements of the JSON array `data` holds, counted by one pass over its
    /// bytes (commas at the top level, strings skipped); nil when it does not start with `[`.
    /// On malformed JSON the count is approximate, which is enough for a size limit.
    static func topLevelArrayCount(_ data: Data) -> Int? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return nil }
            var depth = 0, commas = 0
            var inString = false, escaped = false, sawValue = false
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if inString {
                    if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch b {
                case UInt8(ascii: "\""):
                    inString = true
                    if depth == 1 { sawValue = true }
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    if depth == 2 { sawValue = true }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 { return sawValue ? commas + 1 : 0 }
                case UInt8(ascii: ","):
                    if depth == 1 { commas += 1 }
                case 0x20, 0x09, 0x0A, 0x0D:
                    break
                default:
                    if depth == 1 { sawValue = true }
                }
            }
            return sawValue ? commas + 1 : 0
        }
    }
}
