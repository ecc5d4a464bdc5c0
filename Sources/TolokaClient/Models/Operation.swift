import Foundation
import TallyCore

/// A background operation: a task upload, a pool opening or closing, an analytics request, …
/// It is `PENDING`, then `RUNNING`, then `SUCCESS` or `FAIL`;
/// ``TolokaAPIClient/waitForOperation(_:timeout:)`` polls it to the end.
public struct TolokaOperation: Codable, Sendable, Hashable {
    /// The operation id (a UUID; for a task upload, the `operation_id` the client sent).
    public var id: String
    /// `TASK.BATCH_CREATE`, `POOL.OPEN`, `ANALYTICS`, …
    public var type: String?
    /// `PENDING`, `RUNNING`, `SUCCESS`, `FAIL`.
    public var status: String
    /// When the operation was submitted: Toloka's date-time text (UTC, no zone; ``TolokaDate``
    /// parses it).
    public var submitted: String?
    /// When it started running (nil until then).
    public var started: String?
    /// When it ended (nil until then).
    public var finished: String?
    /// Percent done, 0–100.
    public var progress: Int?
    /// The operation's parameters as the server reports them (e.g. `{"pool_id": …}` for pool
    /// operations), kept as JSON.
    public var parameters: JSONValue?
    /// Type-specific results kept as JSON: task-upload counters (`items_count`, `success_count`,
    /// …), analytics results (read them with ``AnalyticsResult``).
    public var details: JSONValue?

    /// True when the operation has ended (`SUCCESS` or `FAIL`).
    public var isTerminal: Bool { status == "SUCCESS" || status == "FAIL" }
    /// True when the operation ended in `SUCCESS`.
    public var succeeded: Bool { status == "SUCCESS" }
}

/// One entry of `GET /api/v1/operations/{id}/log` (``TolokaAPIClient/operationLog(id:)``): for a
/// task upload, one entry per submitted task.
public struct OperationLogItem: Codable, Sendable, Hashable {
    /// `TASK_CREATE`, `TASK_VALIDATE`, `POOL_OPEN`, …
    public var type: String?
    /// Whether this item succeeded.
    public var success: Bool?
    /// The submitted item as the server received it (a task carries its `__item_idx`).
    public var input: JSONValue?
    /// The result: `{"task_id": …}` for a created task, field path → `{code, message}` for a
    /// rejected one.
    public var output: JSONValue?
}

/// One request of `POST /api/staging/analytics-2` (``TolokaAPIClient/analytics(_:)``): one
/// metric of one pool.
public struct AnalyticsRequest: Codable, Sendable, Hashable {
    /// What the metric is about: `POOL` (the default).
    public var subject: String
    /// The pool id.
    public var subjectID: String
    /// The metric: `completion_percentage`, `real_tasks_count`, `submitted_assignments_count`,
    /// `skipped_assignments_count`, `rejected_assignments_count`, `approved_assignments_count`,
    /// `avg_submit_assignment_millis`, `spent_budget`, `unique_workers_count`,
    /// `unique_submitters_count`, `estimated_assignments_count` or `active_workers_by_filter_count`.
    public var name: String
    /// The look-back window in hours; only `active_workers_by_filter_count` needs it.
    public var intervalHours: Int?
    /// A request for metric `name` of pool `subjectID`.
    public init(subject: String = "POOL", subjectID: String, name: String, intervalHours: Int? = nil) {
        self.subject = subject; self.subjectID = subjectID; self.name = name; self.intervalHours = intervalHours
    }
    enum CodingKeys: String, CodingKey { case subject, name; case subjectID = "subject_id"; case intervalHours = "interval_hours" }

    /// The request for a pool's `completion_percentage` (0–100).
    public static func completionPercentage(pool: String) -> AnalyticsRequest { .init(subjectID: pool, name: "completion_percentage") }
}

/// The results of a finished analytics operation, in request order.
public struct AnalyticsResult: Sendable, Hashable {
    /// One metric's result.
    public struct Entry: Sendable, Hashable {
        /// The metric's name, as requested.
        public var name: String
        /// `result.value` for `completion_percentage`, the bare `result` for counts and budgets.
        public var value: JSONValue?
    }
    /// The results, in the order of the requests.
    public var entries: [Entry]

    /// Reads the results from a finished analytics operation's `details`.
    init(_ operation: TolokaOperation) {
        entries = (operation.details?["value"]?.arrayValue ?? []).map { item in
            let result = item["result"]
            return Entry(name: item["request"]?["name"]?.stringValue ?? "", value: result?["value"] ?? result)
        }
    }

    /// The numeric result of the metric `name`.
    public func number(_ name: String) -> Double? {
        entries.first { $0.name == name }?.value?.doubleValue
    }
}

/// An assignment: one Toloker's answers to one task suite, as `GET /v1/assignments` returns it.
public struct Assignment: Codable, Sendable, Hashable {
    /// The assignment id.
    public var id: String
    /// The task suite the assignment is for.
    public var taskSuiteID: String?
    /// The pool the assignment belongs to.
    public var poolID: String?
    /// The Toloker who took the assignment (`ASSIGNMENT:worker_id` in Toloka's TSV export).
    public var userID: String?
    /// `ACTIVE`, `SUBMITTED`, `ACCEPTED`, `REJECTED`, `SKIPPED`, `EXPIRED`.
    public var status: String?
    /// The amount paid, in US dollars.
    public var reward: Decimal?
    /// The suite's tasks, golden ones with their `known_solutions`.
    public var tasks: [TolokaTask]?
    /// The Toloker's answers, in the order of `tasks`; present once submitted.
    public var solutions: [Solution]?
    /// Training tasks: the first, wrong answers.
    public var firstDeclinedSolutionAttempt: [Solution]?
    /// True when the suite was built by smart mixing (``MixerConfig``).
    public var mixed: Bool?
    /// True when the answer was copied from a merged identical task.
    public var automerged: Bool?
    /// When the assignment was issued to the Toloker (`ASSIGNMENT:started` in the TSV export).
    /// This and the other dates are Toloka's date-time text (UTC, no zone), nil until reached.
    public var created: String?
    /// When the Toloker submitted it.
    public var submitted: String?
    /// When it was accepted (equal to `submitted` in an auto-accept pool).
    public var accepted: String?
    /// When it was rejected.
    public var rejected: String?
    /// When the Toloker skipped it.
    public var skipped: String?
    /// When it expired (the Toloker ran out of time).
    public var expired: String?
    /// The comment given on acceptance or rejection (shown to the Toloker).
    public var publicComment: String?
    /// Ids of bonuses paid for this assignment.
    public var bonusIDs: [String]?
    /// The requester account that owns the pool.
    public var owner: Owner?

    enum CodingKeys: String, CodingKey {
        case id, status, reward, tasks, solutions, mixed, automerged, created, submitted, accepted, rejected, skipped, expired, owner
        case taskSuiteID = "task_suite_id", poolID = "pool_id", userID = "user_id"
        case firstDeclinedSolutionAttempt = "first_declined_solution_attempt", publicComment = "public_comment", bonusIDs = "bonus_ids"
    }
}

/// One page of a list endpoint: `{"items": [...], "has_more": bool}`.
struct Page<Item: Decodable & Sendable>: Decodable, Sendable {
    var items: [Item]
    var hasMore: Bool
    enum CodingKeys: String, CodingKey { case items, hasMore = "has_more" }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
        hasMore = try c.decodeIfPresent(Bool.self, forKey: .hasMore) ?? false
    }
}

/// Toloka's date-time format: ISO 8601 without a zone, UTC, 0–6 fractional digits.
public enum TolokaDate {
    /// Parses `2022-11-22T16:08:41.802` (any number of fractional digits; a trailing `Z` or
    /// offset is accepted too).
    public static func parse(_ text: String) -> Date? {
        var s = Substring(text)
        var offset = 0
        if s.hasSuffix("Z") { s = s.dropLast() }
        else if s.count > 6, let sign = s.dropLast(5).last, sign == "+" || sign == "-", s.suffix(6).contains(":") {
            let tz = s.suffix(5)
            let h = Int(tz.prefix(2)) ?? 0, m = Int(tz.suffix(2)) ?? 0
            offset = (h * 3600 + m * 60) * (sign == "+" ? 1 : -1)
            s = s.dropLast(6)
        }
        let parts = s.split(separator: ".", maxSplits: 1)
        // Whole seconds: `yyyy-MM-ddTHH:mm:ss`, read by TallyCore's parser (an exact integer).
        guard let head = parts.first, head.utf8.count == 19, head.utf8[head.utf8.index(head.utf8.startIndex, offsetBy: 10)] == UInt8(ascii: "T"),
              let whole = TolokaTime.parse(String(parts[0])) else { return nil }
        var frac = 0.0
        if parts.count == 2, let v = Double("0." + parts[1]) { frac = v }
        return Date(timeIntervalSince1970: whole).addingTimeInterval(frac - Double(offset))
    }

    /// Formats a date as Toloka sends it in requests: `2026-01-01T00:00:00` (UTC, no zone).
    public static func format(_ date: Date) -> String {
        // TolokaTime writes `…:ss.mmm`, rounded down to the millisecond; the seconds are the first 19 characters.
        String(TolokaTime.format(date.timeIntervalSince1970).prefix(19))
    }
}
