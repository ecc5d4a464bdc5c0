import Foundation
import TallyCore
import Testing
@testable import TolokaEmulator

@Suite("Emulator: ids, times, truth, crowd, limits")
struct EmulatorUnitTests {
    @Test("Toloka date-times round-trip, with any fractional digits and zones")
    func times() {
        #expect(TolokaTime.format(1_669_133_321.802) == "2022-11-22T16:08:41.802")
        #expect(TolokaTime.parse("2022-11-22T16:08:41.802", accepting: [.dateOnly, .iso8601]) == 1_669_133_321.802)
        #expect(TolokaTime.parse("2021-08-24T06:30:08.51", accepting: [.dateOnly, .iso8601]).map { ($0 * 100).rounded() } == 162_978_660_851)
        #expect(TolokaTime.parse("2026-01-01T00:00:00", accepting: [.dateOnly, .iso8601]) == 1_767_225_600)
        #expect(TolokaTime.parse("2026-01-01T01:00:00+01:00", accepting: [.dateOnly, .iso8601]) == 1_767_225_600)
        #expect(TolokaTime.parse("2026-01-01", accepting: [.dateOnly, .iso8601]) == 1_767_225_600)
        #expect(TolokaTime.parse("tomorrow", accepting: [.dateOnly, .iso8601]) == nil)
    }

    @Test("task and assignment ids: pool in 10 hex digits, then an ObjectId that sorts by creation even when time stands still or goes back")
    func objectIDs() {
        var g = ObjectIDGenerator(seed: 5)
        let a = g.next(pool: 36_502_086, time: 1_669_133_321.9)
        let b = g.next(pool: 36_502_086, time: 1_669_133_321.9)
        let c = g.next(pool: 36_502_086, time: 1_669_133_000)
        #expect(a.hasPrefix("00022cfa46--637cf409"))
        #expect(a.count == 36)
        #expect(a < b && b < c)
    }

    @Test("truth files: named input columns or the notebook's two columns")
    func truth() throws {
        let named = try TruthTable(tsv: "INPUT:path\tGOLDEN:result\nhttps://a/1\tmale\nhttps://a/2\tfemale\n")
        #expect(named.label(for: ["path": "https://a/2"]) == "female")
        #expect(named.label(for: ["path": "https://a/3"]) == nil)
        let pair = try TruthTable(tsv: "url\tsex\nhttps://a/1\tmale\n")
        #expect(pair.label(for: ["path": "https://a/1"]) == "male")
        #expect(throws: EmulatorConfigurationError.self) { try TruthTable(tsv: "a\tb\tc\n1\t2\t3\n") }
        #expect(throws: EmulatorConfigurationError.self) { try TruthTable(tsv: "url\tlabel\nhttps://a/1\n") }
    }

    @Test("rate-limit strings")
    func limits() throws {
        #expect(RateLimits.toloka.limits.count == 5)
        #expect(try RateLimits(parsing: "none").limits.isEmpty)
        #expect(try RateLimits(parsing: "tasks=10/min").limits == [RateLimits.Limit(category: "tasks", limit: 10, seconds: 60)])
        #expect(throws: EmulatorConfigurationError.self) { try RateLimits(parsing: "everything=1/s") }
        #expect(throws: EmulatorConfigurationError.self) { try RateLimits(parsing: "all=1/week") }
    }

    @Test("the built-in crowd: the documented mix, seeded")
    func crowd() throws {
        let a = try OneCoinCrowd(seed: 9), b = try OneCoinCrowd(seed: 9), c = try OneCoinCrowd(seed: 10)
        #expect(a.workers == b.workers)
        #expect(a.workers != c.workers)
        #expect(a.workers.count == 50)
        #expect(a.workers.filter { $0.kind == "spammer" }.count == 10)
        #expect(a.workers.filter { $0.kind == "good" }.allSatisfy { ($0.accuracy ?? 0) >= 0.9 })
        #expect(Set(a.workers.map(\.id)).count == 50)
        var settings = OneCoinCrowd.Configuration()
        settings.workers = 0
        #expect(throws: EmulatorConfigurationError.self) { try OneCoinCrowd(settings, seed: 1) }
        let decoded = try JSONDecoder().decode(OneCoinCrowd.Configuration.self, from: Data(#"{"workers": 7, "mix": [{"kind": "spammer", "share": 1}]}"#.utf8))
        #expect(try OneCoinCrowd(decoded, seed: 1).workers.allSatisfy { $0.accuracy == nil })
    }

    @Test("JSON values keep integers apart from floats and serialise stably")
    func json() throws {
        let v = try JSONValue(parsing: Data(#"{"b": [1, 2.5, true, null, "x\n"], "a": 80.0}"#.utf8))
        #expect(v["b"]?.arrayValue?[0] == .int(1))
        #expect(v["b"]?.arrayValue?[1] == .double(2.5))
        #expect(String(decoding: v.serializedData(numbers: .python), as: UTF8.self).hasPrefix(#"{"a":80"#))
        #expect(String(decoding: JSONValue.double(0.01).serializedData(numbers: .python), as: UTF8.self) == "0.01")
    }
}
