import TallyCore

/// What the two batch-create routes (`POST /tasks`, `POST /task-suites`) share: the items sent
/// (one object or an array of them), the field errors of the items that fail validation, and how
/// the batch is answered.
struct BatchUpload {
    /// The items sent, in order.
    let items: [JSONValue]
    /// One object was sent rather than an array: it is answered with that object, or its own errors.
    let single: Bool
    /// Per failing item index: its field errors.
    var errors: [Int: [String: FieldError]] = [:]

    /// The items of a request body; `expected` completes the 400 for a body that is neither an
    /// object nor an array (`"a task object or an array of tasks"`).
    init(_ body: JSONValue, expected: String) throws {
        switch body {
        case .array(let a): items = a; single = false
        case .object: items = [body]; single = true
        default: throw APIError(400, "VALIDATION_ERROR", "Expected \(expected)")
        }
    }

    /// The failing items' field errors by item index, as `validation_errors` shows them.
    var errorsJSON: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: errors.map { (String($0.key), JSONValue.object($0.value.mapValues(\.json))) }))
    }

    /// An operation-log entry of type `type` for each failing item, in item order.
    func validationLog(type: String) -> [JSONValue] {
        errors.sorted(by: { $0.key < $1.key }).map { i, e in
            ["type": .string(type), "success": false, "input": items[i], "output": .object(e.mapValues(\.json))]
        }
    }
}

extension EmulatorStore {
    /// Answers a batch that creates nothing: in async mode a 202 with a failed operation of `type`
    /// (`valid` items passed validation), else a 400 `VALIDATION_ERROR` with every item's errors, or
    /// the one object's own errors when one object was sent.
    func rejectBatch(_ batch: BatchUpload, type: String, parameters: JSONValue, valid: Int, asyncMode: Bool,
                     log: [JSONValue], operationID: String?) throws -> EmulatorResponse {
        if asyncMode {
            let op = newOperation(type: type, parameters: parameters,
                                  details: ["total_count": .int(Int64(batch.items.count)), "valid_count": .int(Int64(valid)),
                                            "not_valid_count": .int(Int64(batch.errors.count)), "success_count": 0,
                                            "failed_count": .int(Int64(batch.items.count))],
                                  outcome: "FAIL", log: log, id: operationID)
            return .json(202, op.rendered(realNow: op.submittedReal))
        }
        if batch.single, let e = batch.errors[0] { throw APIError.validation(e) }
        throw APIError(400, "VALIDATION_ERROR", "Validation failed", payload: batch.errorsJSON)
    }

    /// Answers a batch created synchronously: the one object when one was sent, else `items` (the
    /// created objects by item index) and `validation_errors` (the items skipped).
    func createdBatch(_ batch: BatchUpload, created: [Int: JSONValue]) -> EmulatorResponse {
        if batch.single { return .json(201, created[0]!) }
        return .json(201, ["items": .object(Dictionary(uniqueKeysWithValues: created.map { (String($0.key), $0.value) })),
                           "validation_errors": batch.errorsJSON])
    }
}
