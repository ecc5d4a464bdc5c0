import Foundation
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
}
