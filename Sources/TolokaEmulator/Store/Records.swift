import TallyCore
import TallyQualityControl
import TallySimulation

/// A project as stored: the client's JSON plus what the server adds.
final class ProjectRecord {
    let id: Int
    var json: [String: JSONValue]
    let created: Double
    var status = "ACTIVE"

    init(id: Int, json: [String: JSONValue], created: Double) {
        self.id = id
        self.json = json
        self.created = created
    }

    var inputSpec: [String: JSONValue] { json["task_spec"]?["input_spec"]?.objectValue ?? [:] }
    var outputSpec: [String: JSONValue] { json["task_spec"]?["output_spec"]?.objectValue ?? [:] }

    /// The output field the simulated Tolokers answer: the only one, else the first (by name) that is required.
    ///
    /// *Choice*: with several output fields, the others are copied from a control task's known
    /// solution or left out; only this one carries the Toloker's answer.
    var answerField: String {
        let spec = outputSpec
        if spec.count == 1 { return spec.keys.first! }
        return spec.keys.sorted().first { spec[$0]?["required"]?.boolValue ?? true } ?? spec.keys.sorted().first ?? "result"
    }

    /// The answer options the project itself declares for `field`: `allowed_values` in the output
    /// spec, and the `options` of template-builder fields writing to it (e.g. `field.button-radio-group`).
    func declaredOptions(field: String) -> [String] {
        var out: [String] = []
        if let allowed = outputSpec[field]?["allowed_values"]?.arrayValue { out += allowed.map(\.labelText) }
        if let config = json["task_spec"]?["view_spec"]?["config"]?.stringValue,
           let parsed = try? JSONValue(parsing: Data(config.utf8)) {
            collectOptions(parsed, field: field, into: &out)
        }
        return out
    }

    private func collectOptions(_ v: JSONValue, field: String, into out: inout [String]) {
        switch v {
        case .object(let o):
            if let options = o["options"]?.arrayValue, o["data"]?["path"]?.stringValue == field {
                out += options.compactMap { $0["value"]?.labelText }
            }
            for value in o.values { collectOptions(value, field: field, into: &out) }
        case .array(let a):
            for value in a { collectOptions(value, field: field, into: &out) }
        default: break
        }
    }
}

import Foundation

/// A task as stored.
struct TaskRecord {
    let id: String
    /// The client's fields (those starting with `__` dropped), without the server's.
    var json: [String: JSONValue]
    let created: Double
    /// nil = infinite overlap.
    var overlap: Int?
    /// A control (golden) task: it has `known_solutions`.
    let isControl: Bool
    /// Each known solution's `output_values`.
    let knownSolutions: [[String: JSONValue]]
    /// The hidden true label of the answer field.
    let truth: String
    /// ``CrowdTask/key(inputs:)`` of the input values.
    let key: UInt64
    /// Assignments holding a slot of the overlap (issued and not expired), as the pool's engine
    /// reports them: only for `remaining_overlap`.
    var issued = 0

    var remainingOverlap: Int? { overlap.map { max(0, $0 - issued) } }

    func rendered(poolID: Int) -> JSONValue {
        var o = json
        o["id"] = .string(id)
        o["pool_id"] = .string(String(poolID))
        o["created"] = .string(TolokaTime.format(created))
        if let overlap {
            o["overlap"] = .int(Int64(overlap))
            o["infinite_overlap"] = .bool(false)
            o["remaining_overlap"] = .int(Int64(remainingOverlap ?? 0))
        } else {
            o["overlap"] = nil
            o["remaining_overlap"] = nil
            o["infinite_overlap"] = .bool(true)
        }
        return .object(o)
    }
}

/// One Toloker × one task suite.
struct AssignmentRecord {
    let id: String
    let suiteID: String
    let worker: Int32
    let tasks: [Int]
    /// `output_values` per task, once submitted.
    var solutions: [[String: JSONValue]] = []
    var state = AssignmentStatus.active
    /// ``state`` as the API writes it (`ACCEPTED`, not the export's `APPROVED`).
    var status: String { state.apiName }
    let created: Double
    var submitted: Double?
    var accepted: Double?
    var rejected: Double?
    var expired: Double?
    var skipped: Double?
    let reward: Double
    var publicComment: String?

    /// The time of the given field (`created`, `submitted`, …), for filters and sorting.
    func time(_ field: String) -> Double? {
        switch field {
        case "created": created
        case "submitted": submitted
        case "accepted": accepted
        case "rejected": rejected
        case "expired": expired
        case "skipped": skipped
        default: nil
        }
    }
}

/// A restriction a quality-control rule put on a Toloker (`GET /api/v1/user-restrictions`).
struct RestrictionRecord {
    let id: Int
    let worker: Int32
    let scope: Restriction.Scope
    let projectID: Int
    let poolID: Int
    let created: Double
    /// nil = permanent.
    let end: Double?
    let privateComment: String?

    func applies(worker w: Int32, projectID p: Int, poolID q: Int, at t: Double) -> Bool {
        guard w == worker, created <= t, t < (end ?? .infinity) else { return false }
        switch scope {
        case .pool: return q == poolID
        case .project: return p == projectID
        case .allProjects: return true
        }
    }
}

/// An operation (`/api/v1/operations/{id}`): its result is computed when it is created; its status
/// advances PENDING → RUNNING → terminal with each read (or once a second has passed), so clients
/// see the progression the real API shows.
struct OperationRecord {
    let id: String
    let type: String
    var parameters: JSONValue
    var details: JSONValue?
    let submitted: Double
    let submittedReal: Double
    /// SUCCESS or FAIL.
    var outcome: String
    var reads = 0
    var log: [JSONValue] = []

    func rendered(realNow: Double) -> JSONValue {
        let step = realNow - submittedReal >= 1 ? 2 : reads
        var o: [String: JSONValue] = [
            "id": .string(id), "type": .string(type), "parameters": parameters,
            "submitted": .string(TolokaTime.format(submitted)),
        ]
        switch step {
        case 0:
            o["status"] = "PENDING"
            o["progress"] = 0
        case 1:
            o["status"] = "RUNNING"
            o["progress"] = 50
            o["started"] = .string(TolokaTime.format(submitted))
        default:
            o["status"] = .string(outcome)
            o["progress"] = 100
            o["started"] = .string(TolokaTime.format(submitted))
            o["finished"] = .string(TolokaTime.format(submitted))
            if let details { o["details"] = details }
        }
        return .object(o)
    }
}
