import Foundation

/// When and how long the client waits before trying a request again (defaults: up to 5 retries,
/// 1 s base delay, 60 s cap).
///
/// Retried: HTTP 408, 429, 500, 502, 503, 504 and transport errors (no response), for every
/// method — POSTs are safe to repeat because task uploads carry an `operation_id` and the
/// resumable run reconciles project and pool creation. A `Retry-After` header (seconds or an
/// HTTP date) is honoured; otherwise a 429 whose `payload.interval` is `MIN` waits for the next
/// minute, and `HOUR` / `DAY` quotas are not retried; otherwise the delay is exponential with
/// jitter: `base · 2^(attempt−1)`, capped at `maxDelay`, times a random factor in [0.5, 1].
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt (default 5; toloka-kit: 3). 0 disables retrying.
    public var maxRetries: Int
    /// Seconds before the first retry when the server gives no `Retry-After` (default 1); doubles
    /// with each further retry.
    public var baseDelay: Double
    /// The longest exponential back-off, in seconds (default 60).
    public var maxDelay: Double
    /// The longest `Retry-After` (or quota wait) honoured; a longer one ends the retries
    /// (seconds, default 600).
    public var maxRetryAfter: Double
    /// HTTP statuses that are retried (default 408, 429, 500, 502, 503, 504). Others, 409
    /// included, fail at once.
    public var retryableStatuses: Set<Int>

    /// A policy; every parameter has the default described on its property.
    public init(maxRetries: Int = 5, baseDelay: Double = 1, maxDelay: Double = 60, maxRetryAfter: Double = 600,
                retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]) {
        self.maxRetries = maxRetries; self.baseDelay = baseDelay; self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter; self.retryableStatuses = retryableStatuses
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxRetries: 0)

    /// The back-off before retry number `attempt` (1-based), with jitter.
    func backoff(attempt: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let exp = baseDelay * pow(2, Double(max(0, attempt - 1)))
        return min(maxDelay, exp) * (0.5 + 0.5 * random)
    }

    /// Seconds a `Retry-After` value asks for: an integer (or decimal) number of seconds, or
    /// an HTTP date (RFC 9110: IMF-fixdate, RFC 850 or asctime).
    static func retryAfterSeconds(_ value: String, now: Date = Date()) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let s = Double(v), s.isFinite { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            f.dateFormat = format
            if let d = f.date(from: v) { return max(0, d.timeIntervalSince(now)) }
        }
        return nil
    }
}
