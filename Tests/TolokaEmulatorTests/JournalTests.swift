import Foundation
import Testing
import TallyCore
import TallySimulation
@testable import TolokaEmulator

@Suite("Emulator: --state journal")
struct JournalTests {
    @Test("a restart with the same journal restores pools, tasks, assignments and bans exactly")
    func restart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(speed: 1, seed: 4, truth: try TruthTable(tsv: Notebook.truthTSV(Notebook.voices())), rateLimits: .none)
        configuration.statePath = path
        let clock = ManualClock()

        let first = try await RunningEmulator.start(configuration, clock: clock)
        let projectID = try await first.send("POST", "/api/v1/projects", json: Notebook.project).json!["id"]!.stringValue!
        let poolID = try await first.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json!["id"]!.stringValue!
        clock.advance(2)
        let upload = try await first.send("POST", "/api/v1/tasks", query: ["async_mode": "true", "allow_defaults": "true", "operation_id": UUID().uuidString],
                                          json: Notebook.tasks(poolID: poolID, rows: Notebook.voices()))
        #expect(upload.status == 202)
        #expect(try await first.send("POST", "/api/v1/pools/\(poolID)/open").status == 202)
        clock.advance(240)  // part-way: the pool is still open
        let pool1 = try await first.send("GET", "/api/v1/pools/\(poolID)").json!
        let assignments1 = try await first.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000).items
        let restrictions1 = try await first.send("GET", "/api/v1/user-restrictions", query: ["pool_id": poolID]).json!
        let tasks1 = try await first.listAll("/api/v1/tasks", query: ["pool_id": poolID], limit: 1000).items
        first.stop()
        #expect(pool1["status"]?.stringValue == "OPEN")
        #expect(!assignments1.isEmpty)

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5, "header + 4 changes; GETs are not journalled")

        let second = try await RunningEmulator.start(configuration, clock: clock)
        defer { second.stop() }
        #expect(try await second.send("GET", "/api/v1/pools/\(poolID)").json! == pool1)
        #expect(try await second.listAll("/api/v1/tasks", query: ["pool_id": poolID], limit: 1000).items == tasks1)
        #expect(try await second.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000).items == assignments1)
        #expect(try await second.send("GET", "/api/v1/user-restrictions", query: ["pool_id": poolID]).json! == restrictions1)
        #expect(try await second.send("GET", "/api/v1/operations/\(upload.json!["id"]!.stringValue!)").json?["status"]?.stringValue == "SUCCESS")
        // and it runs on
        clock.advance(3600)
        #expect(try await second.send("GET", "/api/v1/pools/\(poolID)").json?["last_close_reason"]?.stringValue == "COMPLETED")

        var other = configuration
        other.seed = 5
        let state = try EmulatorState(other)
        await #expect(throws: EmulatorConfigurationError.self) { try await state.restore(from: path) }
    }

    @Test("a scenario crowd restarts the same: assignments, bans and hidden truths; another crowd is refused")
    func restartWithScenarioCrowd() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scenario = try Scenario.decode(ScenarioCrowdTests.scenarioJSON(prior: [0.7, 0.3], types: ScenarioCrowdTests.mixedTypes))
        var configuration = EmulatorConfiguration(speed: 1, seed: 4, crowd: try ScenarioCrowd(scenario, seed: 4), rateLimits: .none)
        configuration.statePath = path
        let clock = ManualClock()

        let first = try await RunningEmulator.start(configuration, clock: clock)
        let projectID = try await first.send("POST", "/api/v1/projects", json: Notebook.project).json!["id"]!.stringValue!
        let poolID = try await first.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json!["id"]!.stringValue!
        #expect(try await first.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true", "open_pool": "true"],
                                     json: Notebook.tasks(poolID: poolID, rows: Notebook.voices())).status == 201)
        clock.advance(60)  // part-way: the pool is still open
        let pool1 = try await first.send("GET", "/api/v1/pools/\(poolID)").json!
        let assignments1 = try await first.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000).items
        let log1 = try await first.send("GET", "/_emulator/pools/\(poolID)/quality-control-log").json!
        let truth1 = try await first.send("GET", "/_emulator/pools/\(poolID)/truth").data
        first.stop()
        #expect(pool1["status"]?.stringValue == "OPEN")
        #expect(!assignments1.isEmpty)

        let second = try await RunningEmulator.start(configuration, clock: clock)
        #expect(try await second.send("GET", "/api/v1/pools/\(poolID)").json! == pool1)
        #expect(try await second.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000).items == assignments1)
        #expect(try await second.send("GET", "/_emulator/pools/\(poolID)/quality-control-log").json! == log1)
        #expect(try await second.send("GET", "/_emulator/pools/\(poolID)/truth").data == truth1)
        second.stop()

        var other = configuration
        other.crowd = try ScenarioCrowd(scenario, seed: 5)
        let state = try EmulatorState(other)
        await #expect(throws: EmulatorConfigurationError.self) { try await state.restore(from: path) }
        other.crowd = nil
        let builtIn = try EmulatorState(other)
        await #expect(throws: EmulatorConfigurationError.self) { try await builtIn.restore(from: path) }
    }

    @Test("the journal replays through the core, with no server: same objects, and only successful changes are journalled")
    func replayWithoutServer() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = EmulatorConfiguration(speed: 1, seed: 9, truth: try TruthTable(tsv: Notebook.truthTSV(Notebook.voices())), rateLimits: .none)
        let clock = ManualClock()
        func send(_ state: EmulatorState, _ method: String, _ path: String, query: [String: String] = [:], json: JSONValue? = nil) async throws -> (status: Int, json: JSONValue?) {
            let request = EmulatorRequest(method: method, path: path, query: query, headers: ["authorization": "ApiKey k", "content-type": "application/json"],
                                          body: json?.serializedData(numbers: .python) ?? Data())
            let response = await state.handle(request)
            return (response.status, response.body.isEmpty ? nil : try JSONValue(parsing: response.body))
        }

        let first = try EmulatorState(configuration, now: { clock.now })
        try await first.restore(from: path)
        let projectID = try await send(first, "POST", "/api/v1/projects", json: Notebook.project).json!["id"]!.stringValue!
        #expect(try await send(first, "POST", "/api/v1/projects", json: ["public_name": 5]).status == 400)
        let poolID = try await send(first, "POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json!["id"]!.stringValue!
        #expect(try await send(first, "POST", "/_emulator/faults", json: ["faults": []]).status == 200)
        clock.advance(5)
        #expect(try await send(first, "POST", "/api/v1/tasks", query: ["allow_defaults": "true", "open_pool": "true"],
                               json: Notebook.tasks(poolID: poolID, rows: Notebook.voices())).status == 201)
        clock.advance(90)
        let pool1 = try await send(first, "GET", "/api/v1/pools/\(poolID)").json
        let assignments1 = try await send(first, "GET", "/api/v1/assignments", query: ["pool_id": poolID, "limit": "1000"]).json
        let log1 = try await send(first, "GET", "/_emulator/pools/\(poolID)/quality-control-log").json
        #expect(assignments1?["items"]?.arrayValue?.isEmpty == false)

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4, "header + project, pool, tasks: not the GETs, the 400 or the emulator's own route")
        #expect(lines.dropFirst().compactMap { try? JSONValue(parsing: Data($0.utf8))["path"]?.stringValue } == ["/api/v1/projects", "/api/v1/pools", "/api/v1/tasks"])

        let second = try EmulatorState(configuration, now: { clock.now })
        try await second.restore(from: path)
        #expect(try await send(second, "GET", "/api/v1/pools/\(poolID)").json == pool1)
        #expect(try await send(second, "GET", "/api/v1/assignments", query: ["pool_id": poolID, "limit": "1000"]).json == assignments1)
        #expect(try await send(second, "GET", "/_emulator/pools/\(poolID)/quality-control-log").json == log1)
        // The replay did not journal its own requests again.
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 4)
    }
}
