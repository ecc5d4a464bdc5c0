/// Reads Toloka's timestamps (`2024-02-04T19:13:23.631`, UTC, optional fraction and `Z`) as Unix seconds.
enum TolokaTimestamp {
    /// Seconds since 1970-01-01T00:00:00 UTC, or nil if `text` is not such a timestamp.
    static func parse(_ text: String) -> Double? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let d = Int(b[i + k]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d
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
              expect(0x54, 0x20), let h = digits(2), expect(0x3A), let mi = digits(2), expect(0x3A), let s = digits(2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var fraction = 0.0
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
        if i < b.count, b[i] == 0x5A { i += 1 }
        guard i == b.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + h * 3600 + mi * 60 + s) + fraction
    }
}
