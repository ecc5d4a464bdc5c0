import Foundation
import TallyCore

/// What a `tally toloka run` has done so far, written atomically after every step so that a
/// rerun continues where the last one stopped. It holds ids, operation ids and cursors — never
/// the credential.
struct RunState: Codable, Sendable, Equatable {
    var format = "tally-toloka-state/1"
    /// The API root the ids belong to.
    var apiRoot: String
    /// ``Workflow/fingerprint`` of the workflow the run started with.
    var workflowFingerprint: String
    var project: Creation?
    var pool: Creation?
    var batches: [Batch] = []
    var openRequested = false
    var opened = false
    /// The pool's status and close reason once it closed.
    var poolStatus: String?
    var closeReason: String?
    var download: Download?
    var outputsWritten = false
    /// Declared skills' ids by name, once looked up or created (nil: none declared yet).
    var skills: [String: String]?
    /// The training pool's creation (nil: the workflow has none, or it is not requested yet).
    var training: Creation?
    /// The training tasks' upload batches.
    var trainingBatches: [Batch]?
    /// The training's skill id, read from the created training.
    var trainingSkillID: String?
    var trainingOpened: Bool?
    var trainingClosed: Bool?
    /// Toloka's own aggregation of the main pool, once fetched.
    var tolokaAggregation: TolokaAggregation?

    /// ``trainingBatches`` as a list (empty when nil), for the uploader's key path.
    var trainingBatchList: [Batch] {
        get { trainingBatches ?? [] }
        set { trainingBatches = newValue }
    }

    /// A finished `aggregate-by-pool` request and what it gave.
    struct TolokaAggregation: Codable, Sendable, Equatable {
        var operationID: String
        var type: String
        /// Solutions written to the output folder.
        var count: Int
        enum CodingKeys: String, CodingKey { case type, count; case operationID = "operation_id" }
    }

    /// A created object: intent recorded before the request, id once the answer arrived.
    struct Creation: Codable, Sendable, Equatable {
        var id: String?
        /// When the create request was first sent (UTC, Toloka's format).
        var requestedAt: String
        /// For projects: the largest project id that existed before the request (nil: none or unknown).
        var existingMaxID: String?
        /// For projects: whether the server could list projects before the request.
        var listable: Bool?
        /// The creation key sent in the object's `metadata` (``TolokaAPIClient/creationKeyField``),
        /// by which a create whose answer was lost is found; nil in states written before keys.
        var key: String?
        enum CodingKeys: String, CodingKey { case id, key; case requestedAt = "requested_at"; case existingMaxID = "existing_max_id"; case listable }
    }

    /// One upload batch: `count` tasks from position `first` of the upload order.
    struct Batch: Codable, Sendable, Equatable {
        var first: Int
        var count: Int
        /// The client-generated idempotency key of the `POST /v1/tasks`.
        var operationID: String
        /// `sending` (recorded before the request) or `done`.
        var status: String
        var created: Int?
        enum CodingKeys: String, CodingKey { case first, count, status, created; case operationID = "operation_id" }
    }

    /// Progress of the assignment download into `assignments.jsonl`.
    struct Download: Codable, Sendable, Equatable {
        var statuses: [String]
        /// The id of the last assignment written (the `id_gt` cursor).
        var afterID: String?
        var count: Int
        /// Bytes of `assignments.jsonl` that hold complete, recorded pages.
        var bytes: Int
        var done: Bool
        enum CodingKeys: String, CodingKey { case statuses, count, bytes, done; case afterID = "after_id" }
    }

    enum CodingKeys: String, CodingKey {
        case format, project, pool, batches, opened, download
        case apiRoot = "api_root", workflowFingerprint = "workflow_fingerprint"
        case openRequested = "open_requested", poolStatus = "pool_status", closeReason = "close_reason"
        case outputsWritten = "outputs_written"
        case skills, training, trainingBatches = "training_batches", trainingSkillID = "training_skill_id"
        case trainingOpened = "training_opened", trainingClosed = "training_closed", tolokaAggregation = "toloka_aggregation"
    }

    init(apiRoot: String, workflowFingerprint: String) {
        self.apiRoot = apiRoot; self.workflowFingerprint = workflowFingerprint
    }

    /// Reads a state file, or nil if there is none.
    static func load(_ path: String) throws -> RunState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TolokaError.invalidInput("\(path): cannot read the state file")
        }
        do { return try JSONDecoder().decode(RunState.self, from: data) } catch {
            throw TolokaError.invalidInput("\(path): not a Tally run state file: \(describe(error))")
        }
    }

    /// Writes the state atomically (temporary file, fsync, rename).
    func save(_ path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try e.encode(self)) + [10], to: path)
    }
}
