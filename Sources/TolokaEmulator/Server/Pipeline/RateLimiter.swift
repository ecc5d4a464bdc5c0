import Foundation

/// Token-bucket rate limits per client credential, e.g. `all=300/s,projects=20/min,projects=100/day`.
///
/// Categories: `all` (every request), `projects` (POST /projects), `pools` (POST /pools), `tasks`
/// (POST /tasks; it counts requests, not tasks), `analytics` (POST /staging/analytics-2),
/// `assignments` (GET /assignments). Units: `s`, `min`, `h`/`hour`, `day`. A bucket holds `limit`
/// requests and refills at `limit` per unit; an empty bucket answers 429 `TOO_MANY_REQUESTS` with
/// `Retry-After` (whole seconds until a request fits) and `payload.interval` `MIN`/`HOUR`/`DAY` for
/// those units (none for per-second limits), as Toloka does. The default is Toloka's documented
/// limits; `none` disables them.
public struct RateLimits: Sendable, Equatable {
    /// One bucket: at most `limit` requests of `category` per `seconds`.
    public struct Limit: Sendable, Equatable {
        /// One of ``RateLimits/categories``.
        public var category: String
        /// The bucket's size, and how many requests it refills per `seconds`.
        public var limit: Double
        /// The unit in seconds: 1, 60, 3600 or 86400.
        public var seconds: Double
    }

    /// Every bucket; a request must fit in all those of its categories.
    public var limits: [Limit]

    /// The category names `--rate-limit` accepts: each route draws on one of them (and on `all`).
    public static let categories: Set<String> = Set(RateCategory.allCases.map(\.rawValue))

    /// Toloka's documented limits: 300 requests/s overall, 20 projects and 20 pools a minute, 100 a day.
    public static let toloka = try! RateLimits(parsing: "all=300/s,projects=20/min,projects=100/day,pools=20/min,pools=100/day")
    /// No limits.
    public static let none = RateLimits(limits: [])

    /// The given limits.
    public init(limits: [Limit]) { self.limits = limits }

    /// Parses `category=N/unit,…` or `none`.
    public init(parsing text: String) throws(EmulatorConfigurationError) {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" {
            limits = []
            return
        }
        var out: [Limit] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=")
            let rate = parts.count == 2 ? parts[1].split(separator: "/") : []
            guard parts.count == 2, rate.count == 2, let n = Double(rate[0]), n > 0 else {
                throw EmulatorConfigurationError("--rate-limit: expected CATEGORY=N/UNIT (e.g. all=300/s), got \"\(item)\"")
            }
            let category = String(parts[0]).trimmingCharacters(in: .whitespaces)
            guard Self.categories.contains(category) else {
                throw EmulatorConfigurationError("--rate-limit: unknown category \"\(category)\"; expected one of \(Self.categories.sorted().joined(separator: ", "))")
            }
            let seconds: Double
            switch rate[1].lowercased() {
            case "s", "sec", "second": seconds = 1
            case "min", "minute": seconds = 60
            case "h", "hour": seconds = 3600
            case "day", "d": seconds = 86400
            default: throw EmulatorConfigurationError("--rate-limit: unknown unit \"\(rate[1])\"; expected s, min, hour or day")
            }
            out.append(Limit(category: category, limit: n, seconds: seconds))
        }
        limits = out
    }
}

/// The rate-limiting stage: takes one request from the client's buckets for `all` and for the
/// route's category (a request on no route counts against `all` only), or answers 429.
final class RateLimiter: PipelineStage {
    let limits: RateLimits
    private var buckets: [String: (tokens: Double, at: Double)] = [:]

    init(_ limits: RateLimits) { self.limits = limits }

    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        if let error = take(client: exchange.client ?? "", category: exchange.route?.rate ?? .all, now: exchange.receivedAt) { throw error }
        return try next(&exchange)
    }

    /// Takes one request of `category` for `client` at real time `now`, or returns the error to answer.
    func take(client: String, category: RateCategory, now: Double) -> APIError? {
        var keys: [(String, RateLimits.Limit)] = []
        for (i, l) in limits.limits.enumerated() where l.category == RateCategory.all.rawValue || l.category == category.rawValue {
            let key = "\(client)\u{1F}\(i)"
            let rate = l.limit / l.seconds
            var b = buckets[key] ?? (l.limit, now)
            b.tokens = min(l.limit, b.tokens + (now - b.at) * rate)
            b.at = now
            buckets[key] = b
            if b.tokens < 1 {
                let wait = max(1, Int(((1 - b.tokens) / rate).rounded(.up)))
                var e = APIError(429, "TOO_MANY_REQUESTS", "Too many requests: the limit of \(Self.format(l.limit)) per \(Self.unit(l.seconds)) is exhausted")
                switch l.seconds {
                case 60: e.payload = ["interval": "MIN"]
                case 3600: e.payload = ["interval": "HOUR"]
                case 86400: e.payload = ["interval": "DAY"]
                default: e.payload = nil  // Toloka names only MIN, HOUR and DAY quotas
                }
                e.headers = [("Retry-After", String(wait))]
                return e
            }
            keys.append((key, l))
        }
        for (key, _) in keys { buckets[key]!.tokens -= 1 }
        return nil
    }

    private static func format(_ v: Double) -> String { v.rounded() == v ? String(Int64(v)) : String(v) }
    private static func unit(_ s: Double) -> String {
        switch s {
        case 1: "second"
        case 60: "minute"
        case 3600: "hour"
        case 86400: "day"
        default: "\(Int(s)) s"
        }
    }
}
