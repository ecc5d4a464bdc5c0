import Foundation
import TallyCore

/// A background operation (spec §6).
public struct TolokaOperation: Codable, Sendable, Hashable {
    public var id: String
    /// `TASK.BATCH_CREATE`, `POOL.OPEN`, `ANALYTICS`, …
    public var type: String?
    /// `PENDING`, `RUNNING`, `SUCCESS`, `FAIL`.
    public var status: String
    public var submitted: String?
    public var started: String?
    public var finished: String?
    public var progress: Int?
    public var parameters: JSONValue?
    public var details: JSONValue?

    public var isTerminal: Bool { status == "SUCCESS" || status == "FAIL" }
    public var succeeded: Bool { status == "SUCCESS" }
}

/// One entry of `GET /api/v1/operations/{id}/log` (spec §5.3).
public struct OperationLogItem: Codable, Sendable, Hashable {
    public var type: String?
    public var success: Bool?
    public var input: JSONValue?
    public var output: JSONValue?
}

/// One request of `POST /api/staging/analytics-2` (spec §7).
public struct AnalyticsRequest: Codable, Sendable, Hashable {
    public var subject: String
    public var subjectID: String
    public var name: String
    public var intervalHours: Int?
    public init(subject: String = "POOL", subjectID: String, name: String, intervalHours: Int? = nil) {
        self.subject = subject; self.subjectID = subjectID; self.name = name; self.intervalHours = intervalHours
    }
    enum CodingKeys: String, CodingKey { case subject, name; case subjectID = "subject_id"; case intervalHours = "interval_hours" }

    public static func completionPercentage(pool: String) -> AnalyticsRequest { .init(subjectID: pool, name: "completion_percentage") }
}

/// The results of a finished analytics operation, in request order.
public struct AnalyticsResult: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        /// `result.value` for `completion_percentage`, the bare `result` for counts and budgets.
        public var value: JSONValue?
    }
    public var entries: [Entry]

    public init(_ operation: TolokaOperation) {
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

/// An assignment: one Toloker's answers to one task suite (spec §8.2).
public struct Assignment: Codable, Sendable, Hashable {
    public var id: String
    public var taskSuiteID: String?
    public var poolID: String?
    public var userID: String?
    /// `ACTIVE`, `SUBMITTED`, `ACCEPTED`, `REJECTED`, `SKIPPED`, `EXPIRED`.
    public var status: String?
    public var reward: Decimal?
    public var tasks: [TolokaTask]?
    public var solutions: [Solution]?
    public var firstDeclinedSolutionAttempt: [Solution]?
    public var mixed: Bool?
    public var automerged: Bool?
    public var created: String?
    public var submitted: String?
    public var accepted: String?
    public var rejected: String?
    public var skipped: String?
    public var expired: String?
    public var publicComment: String?
    public var bonusIDs: [String]?
    public var owner: Owner?

    enum CodingKeys: String, CodingKey {
        case id, status, reward, tasks, solutions, mixed, automerged, created, submitted, accepted, rejected, skipped, expired, owner
        case taskSuiteID = "task_suite_id", poolID = "pool_id", userID = "user_id"
        case firstDeclinedSolutionAttempt = "first_declined_solution_attempt", publicComment = "public_comment", bonusIDs = "bonus_ids"
    }
}

/// One page of a list endpoint: `{"items": [...], "has_more": bool}`.
public struct Page<Item: Decodable & Sendable>: Decodable, Sendable {
    public var items: [Item]
    public var hasMore: Bool
    enum CodingKeys: String, CodingKey { case items, hasMore = "has_more" }
    public init(from decoder: any Decoder) throws {
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
