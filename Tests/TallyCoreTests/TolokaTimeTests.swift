import Testing
import TallyCore

@Suite("TolokaTime: Toloka's date-times to and from Unix time")
struct TolokaTimeTests {
    @Test("format and parse agree bit for bit with seconds(epoch:ms:)")
    func roundTrip() {
        let epoch: Int64 = 1_704_067_200  // 2024-01-01T00:00:00
        for ms: Int64 in [0, 1, 999, 1000, 86_399_999, 5_184_000_123, 31_622_400_000] {
            let text = TolokaTime.format(epoch: epoch, ms: ms)
            #expect(TolokaTime.parse(text) == TolokaTime.seconds(epoch: epoch, ms: ms), "\(text)")
            #expect(TolokaTime.format(TolokaTime.seconds(epoch: epoch, ms: ms)) == text)
        }
        #expect(TolokaTime.format(epoch: epoch, ms: 0) == "2024-01-01T00:00:00.000")
        #expect(TolokaTime.format(epoch: 0, ms: -1) == "1969-12-31T23:59:59.999")
        #expect(TolokaTime.format(1_669_133_321.802) == "2022-11-22T16:08:41.802")
        var bytes = Array("t=".utf8)
        TolokaTime.append(epoch: epoch, ms: 60_000, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "t=2024-01-01T00:01:00.000")
    }

    @Test("Toloka's own form: a T or a space, an optional fraction and Z")
    func parse() {
        #expect(TolokaTime.parse("1970-01-01T00:00:00") == 0)
        #expect(TolokaTime.parse("2024-02-04T19:13:23.631") == 1_707_074_003.631)
        #expect(TolokaTime.parse("2000-03-01 00:00:00Z") == 951_868_800)
        #expect(TolokaTime.parse("2024-02-04T19:13:23.6310000009Z") == 1_707_074_003.631)
        for bad in ["", "2024-02-04", "2024-13-04T00:00:00", "2024-02-04T24:00:00", "2024-02-04T10:00",
                    "2024-02-04T10:00:00.", "2024-02-04T10:00:00+01:00", "2024-02-04T10:00:00Zx", "tomorrow"] {
            #expect(TolokaTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("the simulator's times, as the report notebooks read them")
    func simulatorTimes() {
        #expect(TolokaTime.parse("2024-01-01T00:00:00.000") == 1_704_067_200)
        #expect(TolokaTime.parse("2024-03-01T01:02:03.5") == 1_709_254_923.5)
        #expect(TolokaTime.parse("yesterday") == nil)
    }

    @Test("options: a date alone; ISO 8601's hh:mm and offsets")
    func options() {
        #expect(TolokaTime.parse("2026-01-01", accepting: .dateOnly) == 1_767_225_600)
        #expect(TolokaTime.parse("2026-01-01T01:00:00+01:00", accepting: .dateOnly) == nil)
        let iso: TolokaTime.ParseOptions = [.dateOnly, .iso8601]
        #expect(TolokaTime.parse("2026-01-01T01:00:00+01:00", accepting: iso) == 1_767_225_600)
        #expect(TolokaTime.parse("2025-12-31T23:30-0030", accepting: iso) == 1_767_225_600)
        #expect(TolokaTime.parse("2026-01-01T01:00+01", accepting: iso) == 1_767_225_600)
        #expect(TolokaTime.parse("2026-01-01T00:00Z", accepting: iso) == 1_767_225_600)
        #expect(TolokaTime.parse("2021-08-24T06:30:08.51", accepting: iso).map { ($0 * 100).rounded() } == 162_978_660_851)
        #expect(TolokaTime.parse("2026-01-01T00:00:00+25:00", accepting: iso) == nil)
        #expect(TolokaTime.parse("2026-01-01Z", accepting: iso) == nil)
    }
}
