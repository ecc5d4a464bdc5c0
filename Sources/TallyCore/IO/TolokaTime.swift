/// Toloka's date-times (`2024-02-04T19:13:23.631`: UTC, milliseconds, no zone) to and from Unix time.
///
/// The simulator keeps time in whole milliseconds so that what it writes in an export is exactly
/// what it fed the quality-control engine: ``seconds(epoch:ms:)`` computes a time the same way
/// ``parse(_:accepting:)`` reads one (whole seconds plus `ms / 1000`), bit for bit.
package enum TolokaTime {
    /// What ``parse(_:accepting:)`` accepts besides Toloka's own form.
    package struct ParseOptions: OptionSet, Sendable {
        package let rawValue: Int
        package init(rawValue: Int) { self.rawValue = rawValue }

        /// A date alone (`2024-01-31`), as midnight UTC.
        package static let dateOnly = ParseOptions(rawValue: 1)
        /// The other ISO 8601 forms a client of the API may send: `hh:mm` without seconds, and an
        /// offset from UTC (`+01:00`, `-0530`) in place of `Z`.
        package static let iso8601 = ParseOptions(rawValue: 2)
    }

    /// The engine time of `ms` milliseconds after `epoch` (Unix seconds).
    @inline(__always)
    package static func seconds(epoch: Int64, ms: Int64) -> Double {
        let whole = epoch + ms / 1000
        return Double(whole) + Double(ms % 1000) / 1000
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm` for `ms` milliseconds after `epoch`.
    package static func format(epoch: Int64, ms: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(23)
        append(epoch: epoch, ms: ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm` for Unix time `seconds`, rounded down to the millisecond.
    package static func format(_ seconds: Double) -> String {
        format(epoch: 0, ms: Int64((seconds * 1000).rounded(.down)))
    }

    /// Appends the timestamp's bytes (no allocation beyond the buffer's growth).
    package static func append(epoch: Int64, ms: Int64, to out: inout [UInt8]) {
        let total = epoch * 1000 + ms
        var days = total / 86_400_000
        var rest = total % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func put(_ v: Int64, _ width: Int) {
            var div: Int64 = 1
            for _ in 1..<width { div *= 10 }
            var v = v
            while div > 0 {
                out.append(UInt8(48 + (v / div) % 10))
                v %= div
                div /= 10
            }
        }
        put(y, 4); out.append(0x2D); put(m, 2); out.append(0x2D); put(d, 2); out.append(0x54)
        put(rest / 3_600_000, 2); out.append(0x3A); put(rest / 60_000 % 60, 2); out.append(0x3A)
        put(rest / 1000 % 60, 2); out.append(0x2E); put(rest % 1000, 3)
    }

    /// Unix seconds of a date-time, or nil if `text` is not one.
    ///
    /// Toloka's form is `YYYY-MM-DDThh:mm:ss`, a space allowed for the `T`, with an optional
    /// fraction (digits past the ninth are ignored) and an optional `Z`; `options` accept more.
    /// The time is whole seconds plus the fraction as `digits / 10ⁿ`, as ``seconds(epoch:ms:)``
    /// computes it.
    package static func parse(_ text: String, accepting options: ParseOptions = []) -> Double? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = Int(b[i + k]) - 48
                guard (0...9).contains(c) else { return nil }
                v = v * 10 + c
            }
            i += n
            return v
        }
        func expect(_ c: UInt8...) -> Bool {
            guard i < b.count, c.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect(0x2D), let mo = digits(2), expect(0x2D), let d = digits(2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var h = 0, mi = 0, s = 0, offset = 0, fraction = 0.0
        if i < b.count || !options.contains(.dateOnly) {
            guard expect(0x54, 0x20), let hh = digits(2), expect(0x3A), let mm = digits(2), hh < 24, mm < 60 else { return nil }
            h = hh; mi = mm
            if options.contains(.iso8601) && (i == b.count || b[i] != 0x3A) {
                // hh:mm without seconds
            } else {
                guard expect(0x3A), let ss = digits(2), ss < 61 else { return nil }
                s = ss
                if i < b.count, b[i] == 0x2E {
                    i += 1
                    var numerator = 0, denominator = 1
                    let start = i
                    while i < b.count, (48...57).contains(b[i]) {
                        if denominator < 1_000_000_000 {
                            numerator = numerator * 10 + Int(b[i] - 48)
                            denominator *= 10
                        }
                        i += 1
                    }
                    guard i > start else { return nil }
                    fraction = Double(numerator) / Double(denominator)
                }
            }
            if i < b.count, b[i] == 0x5A {
                i += 1
            } else if options.contains(.iso8601), i < b.count, b[i] == 0x2B || b[i] == 0x2D {
                let sign = b[i] == 0x2B ? 1 : -1
                i += 1
                guard let oh = digits(2), oh < 24 else { return nil }
                if i < b.count, b[i] == 0x3A { i += 1 }
                guard let om = i < b.count ? digits(2) : 0, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == b.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + h * 3600 + mi * 60 + s - offset) + fraction
    }
}
