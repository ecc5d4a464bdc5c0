import Foundation
import TallyCore
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import TolokaEmulator

/// Regressions from the hostile probe of issue 19: pool configs Toloka refuses, and `id` range
/// bounds that are not ids. (One huge request beside many small ones is timed against a separate
/// `tally emulator serve` process in TallyCLITests, where other tests' work does not share its threads.)
@Suite("Emulator: hardening (pool validation, id bounds)")
struct HardeningTests {
    /// A project and a valid pool body for it.
    static func project(_ emulator: RunningEmulator) async throws -> String {
        try #require(try await emulator.send("POST", "/api/v1/projects", json: Notebook.project).json?["id"]?.stringValue)
    }

    @Test("pool configs Toloka refuses: all mixer counts 0, a reward of 1e308, will_expire in the past, a 1 MB private_name")
    func poolValidation() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(token: "T0", speed: 1, rateLimits: .none), clock: ManualClock())
        defer { emulator.stop() }
        let projectID = try await Self.project(emulator)
        let valid = Notebook.pool(projectID: projectID).objectValue!
        let cases: [(String, JSONValue, String, String)] = [
            ("mixer_config", ["real_tasks_count": 0, "golden_tasks_count": 0, "training_tasks_count": 0], "mixer_config", "INVALID_VALUE"),
            ("mixer_config", ["real_tasks_count": 4, "golden_tasks_count": 1, "training_tasks_count": 0, "min_real_tasks_count": 5], "mixer_config.min_real_tasks_count", "VALUE_GREATER_THAN_MAX"),
            ("reward_per_assignment", .double(1e308), "reward_per_assignment", "VALUE_GREATER_THAN_MAX"),
            ("will_expire", "2020-01-01T00:00:00", "will_expire", "DATE_OUT_OF_RANGE"),
            ("private_name", .string(String(repeating: "x", count: 1 << 20)), "private_name", "STRING_LENGTH_GREATER_THAN_MAX"),
            ("private_name", "   ", "private_name", "BLANK_STRING_NOT_ALLOWED"),
        ]
        for (field, value, path, code) in cases {
            var pool = valid
            pool[field] = value
            let r = try await emulator.send("POST", "/api/v1/pools", json: .object(pool))
            #expect(r.status == 400 && r.code == "VALIDATION_ERROR", "\(path): HTTP \(r.status)")
            #expect(r.json?["payload"]?[path]?["code"]?.stringValue == code, "\(path): \(r.json?["payload"] ?? .null)")
            #expect((r.json?["message"]?.stringValue?.count ?? 0) < 1000 && r.data.count < 10_000, "\(path): the error does not echo the value")
        }
        #expect(try await emulator.send("GET", "/api/v1/pools").items.isEmpty, "no refused pool was created")
        #expect(try await emulator.send("POST", "/api/v1/pools", json: .object(valid)).status == 201)
    }

    @Test("an id range bound that is not an id is a 400 on every list, as it was on projects and pools")
    func idBounds() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(token: "T0", speed: nil, rateLimits: .none), clock: ManualClock())
        defer { emulator.stop() }
        let projectID = try await Self.project(emulator)
        let poolID = try #require(try await emulator.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json?["id"]?.stringValue)
        let op = try #require(try await emulator.send("POST", "/api/v1/tasks", query: ["async_mode": "true", "allow_defaults": "true", "open_pool": "true"],
                                                      json: Notebook.tasks(poolID: poolID, rows: Notebook.voices())).json)
        _ = try await emulator.waitOperation(op)
        let lists: [(String, [String: String])] = [
            ("/api/v1/projects", [:]), ("/api/v1/pools", [:]), ("/api/v1/tasks", ["pool_id": poolID]),
            ("/api/v1/assignments", ["pool_id": poolID]), ("/api/v1/operations", [:]),
        ]
        for (path, query) in lists {
            for name in ["id_gt", "id_gte", "id_lt", "id_lte"] {
                let r = try await emulator.send("GET", path, query: query.merging([name: "abc"]) { $1 })
                #expect(r.status == 400 && r.code == "VALIDATION_ERROR", "\(path)?\(name)=abc: HTTP \(r.status) \(String(decoding: r.data.prefix(200), as: UTF8.self))")
                #expect(r.json?["payload"]?[name] != nil, "\(path): the payload names \(name)")
            }
            // A well-formed bound still pages: the first item's id as id_gte returns it.
            let first = try await emulator.send("GET", path, query: query.merging(["sort": "id", "limit": "1"]) { $1 })
            let id = try #require(first.items.first?["id"]?.stringValue, "\(path) has items")
            let again = try await emulator.send("GET", path, query: query.merging(["sort": "id", "limit": "1", "id_gte": id]) { $1 })
            #expect(again.status == 200 && again.items.first?["id"]?.stringValue == id, "\(path)")
        }
    }
}
