import Foundation

/// Toloka's date-times: ISO 8601 in UTC without a zone designator, `YYYY-MM-DDThh:mm:ss.fff` (spec §1.3).
enum TolokaTime {
    /// Formats Unix seconds with milliseconds.
    static func format(_ t: Double) -> String {
        let ms = Int64((t * 1000).rounded(.down))
        var secs = ms / 1000
        let frac = Int(ms - secs * 1000)
        let days = Int(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400)
        secs -= Int64(days) * 86400
        let (y, m, d) = civil(fromDays: days)
        let hh = Int(secs / 3600), mm = Int(secs % 3600 / 60), ss = Int(secs % 60)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03d", y, m, d, hh, mm, ss, frac)
    }

    /// Parses `YYYY-MM-DDThh:mm:ss[.f…]`, with an optional `Z` or `±hh:mm` zone (UTC when absent).
    static func parse(_ s: String) -> Double? {
        let c = Array(s.utf8)
        func num(_ a: Int, _ n: Int) -> Int? {
            guard a + n <= c.count else { return nil }
            var v = 0
            for i in a..<a + n {
                guard c[i] >= 48, c[i] <= 57 else { return nil }
                v = v * 10 + Int(c[i] - 48)
            }
            return v
        }
        guard c.count >= 10, let y = num(0, 4), c[4] == UInt8(ascii: "-"), let mo = num(5, 2), c[7] == UInt8(ascii: "-"), let d = num(8, 2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var t = Double(days(fromCivil: y, mo, d)) * 86400
        guard c.count > 10 else { return t }
        guard c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: " "), let hh = num(11, 2), c.count > 13, c[13] == UInt8(ascii: ":"), let mi = num(14, 2) else { return nil }
        t += Double(hh * 3600 + mi * 60)
        var i = 16
        if i < c.count, c[i] == UInt8(ascii: ":") {
            guard let ss = num(17, 2) else { return nil }
            t += Double(ss)
            i = 19
            if i < c.count, c[i] == UInt8(ascii: ".") {
                i += 1
                var scale = 0.1
                while i < c.count, c[i] >= 48, c[i] <= 57 {
                    t += Double(c[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        if i < c.count {
            if c[i] == UInt8(ascii: "Z") { return i + 1 == c.count ? t : nil }
            guard c[i] == UInt8(ascii: "+") || c[i] == UInt8(ascii: "-"), let oh = num(i + 1, 2) else { return nil }
            let om = (i + 3 < c.count && c[i + 3] == UInt8(ascii: ":")) ? num(i + 4, 2) ?? 0 : num(i + 3, 2) ?? 0
            let offset = Double(oh * 3600 + om * 60)
            return c[i] == UInt8(ascii: "+") ? t - offset : t + offset
        }
        return t
    }

    // Howard Hinnant's civil-calendar algorithms.
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Makes task, task-suite and assignment ids in Toloka's form (spec §1.3):
/// `<pool id as 10 lowercase hex digits>--<24 hex digits>`, where the 24-hex part is ObjectId-like —
/// 8 hex digits of the Unix creation second, then a 16-hex counter.
///
/// The second never goes backwards (it is clamped to the latest one issued) and the counter always
/// grows, so within one pool ids sort lexicographically in creation order, which `id_gt` paging needs.
struct ObjectIDGenerator: Sendable {
    private var lastSecond: UInt32 = 0
    private var counter: UInt64

    init(seed: UInt64) { counter = seed & 0x0000_FFFF_FFFF_FFFF }

    mutating func next(pool: Int, time: Double) -> String {
        lastSecond = max(lastSecond, UInt32(clamping: Int64(time.rounded(.down))))
        counter &+= 1
        return String(format: "%010llx--%08x%016llx", UInt64(pool), lastSecond, counter)
    }
}
