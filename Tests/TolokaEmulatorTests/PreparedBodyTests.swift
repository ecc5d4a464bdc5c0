import Foundation
import TallyCore
import Testing
@testable import TolokaEmulator

@Suite("Emulator: request bodies prepared off the actor")
struct PreparedBodyTests {
    @Test("counting a task array's elements without parsing it")
    func arrayCount() {
        #expect(PreparedBody.topLevelArrayCount(Data("[]".utf8)) == 0)
        #expect(PreparedBody.topLevelArrayCount(Data(" [ 1 ] ".utf8)) == 1)
        #expect(PreparedBody.topLevelArrayCount(Data(#"[{"a": [1, 2, {"b": ","}]}, "x,]", [3,4], 5]"#.utf8)) == 4)
        #expect(PreparedBody.topLevelArrayCount(Data(#"["\"]", 2]"#.utf8)) == 2)
        #expect(PreparedBody.topLevelArrayCount(Data(#"{"a": 1}"#.utf8)) == nil)
    }

    @Test("an upload over the limit is refused from the count; other bodies are parsed, or marked malformed")
    func prepare() throws {
        let many = Data(("[" + Array(repeating: "{}", count: 5001).joined(separator: ",") + "]").utf8)
        let post = { (body: Data, query: [String: String]) in
            EmulatorRequest(method: "POST", path: "/api/v1/tasks", query: query, headers: ["content-type": "application/json"], body: body)
        }
        guard case .tooLarge(let e)? = PreparedBody.prepare(post(many, [:])) else { Issue.record("5,001 tasks in a sync request"); return }
        #expect(e.status == 413)
        guard case .json? = PreparedBody.prepare(post(many, ["async_mode": "true"])) else { Issue.record("5,001 tasks async are allowed"); return }
        guard case .malformed? = PreparedBody.prepare(post(Data("[1,".utf8), [:])) else { Issue.record("malformed"); return }
        #expect(PreparedBody.prepare(post(Data(), [:])) == nil)
    }

    @Test("an upload whose input values total more than 1 MiB is a 400, prepared by the server or not")
    func payloadSize() async throws {
        let state = try EmulatorState(EmulatorConfiguration(token: "T0", speed: nil, rateLimits: .none))
        func post(_ path: String, _ json: JSONValue, query: [String: String] = [:]) async -> EmulatorResponse {
            await state.handle(EmulatorRequest(method: "POST", path: path, query: query,
                                               headers: ["authorization": "OAuth T0", "content-type": "application/json"],
                                               body: json.serializedData(numbers: .python)))
        }
        let project = try JSONValue(parsing: await post("/api/v1/projects", Notebook.project).body)
        let pool = try JSONValue(parsing: await post("/api/v1/pools", Notebook.pool(projectID: project["id"]!.stringValue!)).body)
        let poolID = pool["id"]!.stringValue!
        let big = String(repeating: "x", count: 300)
        let tasks = JSONValue.array((0..<4000).map { i in ["pool_id": .string(poolID), "input_values": ["path": .string("https://tally.invalid/\(i)/\(big)")]] })
        let r = await post("/api/v1/tasks", tasks, query: ["async_mode": "true", "allow_defaults": "true"])
        let json = try JSONValue(parsing: r.body)
        #expect(r.status == 400 && json["payload"]?["input_values"]?["code"]?.stringValue == "OBJECT_SIZE_BYTES_GREATER_THAN_MAX", "\(json)")
        let fits = JSONValue.array((0..<100).map { i in ["pool_id": .string(poolID), "input_values": ["path": .string("https://tally.invalid/\(i)/\(big)")]] })
        #expect(await post("/api/v1/tasks", fits, query: ["async_mode": "true", "allow_defaults": "true"]).status == 202)
    }
}

@Suite("Emulator: task keys hashed with the parse")
struct PreparedTaskKeysTests {
    @Test("a task upload's crowd keys come with its parse, one per item, as the handler would hash them")
    func keys() throws {
        let items: JSONValue = [["pool_id": "1", "input_values": ["path": "a.wav"]], ["pool_id": "1", "input_values": ["path": "b.wav", "n": 2]],
                                ["pool_id": "1"]]
        let request = EmulatorRequest(method: "POST", path: "/api/v1/tasks", headers: ["content-type": "application/json"],
                                      body: items.serializedData(numbers: .python))
        let (prepared, keys) = PreparedBody.prepareWithKeys(request)
        guard case .json? = prepared else { Issue.record("parsed"); return }
        let expected = [CrowdTask.key(inputs: ["path": "a.wav"]), CrowdTask.key(inputs: ["path": "b.wav", "n": 2]), CrowdTask.key(inputs: [:])]
        #expect(keys == expected)
        #expect(Set(expected).count == 3)
        // One task object; and no keys for other routes.
        let one = EmulatorRequest(method: "POST", path: "/api/v1/tasks", headers: ["content-type": "application/json"],
                                  body: JSONValue.object(["pool_id": "1", "input_values": ["path": "a.wav"]]).serializedData(numbers: .python))
        #expect(PreparedBody.prepareWithKeys(one).1 == [expected[0]])
        let project = EmulatorRequest(method: "POST", path: "/api/v1/projects", headers: ["content-type": "application/json"], body: Data("{}".utf8))
        #expect(PreparedBody.prepareWithKeys(project).1 == nil)
    }
}
