import Foundation
import TallyCore
import Testing
@testable import TolokaClient

/// The JSON Tally sends for the notebook's project, pool and tasks equals what toloka-kit
/// 0.1.26 sends for the same objects (Fixtures/tolokakit-0.1.26-notebook.json, captured by
/// Fixtures/capture_tolokakit.py in the pinned notebook environment).
@Suite("toloka-kit parity")
struct ParityTests {
    /// Drops the client-side bookkeeping keys (`__client_uuid` of 0.1.26, `__item_idx` of 1.x,
    /// Tally's creation key in `metadata`, which makes creates idempotent) and parses
    /// `view_spec.config` (a JSON string whose key order and indentation are free).
    func normalized(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(var o):
            o["__client_uuid"] = nil
            o["__item_idx"] = nil
            if case .object(var m) = o["metadata"] {
                m[TolokaAPIClient.creationKeyField] = nil
                o["metadata"] = m.isEmpty ? nil : .object(m)
            }
            if let config = o["config"]?.stringValue, let parsed = try? JSONValue(parsing: Data(config.utf8)) { o["config"] = parsed }
            return .object(o.mapValues(normalized))
        case .array(let a): return .array(a.map(normalized))
        default: return v
        }
    }

    @Test("project, pool and tasks bodies match toloka-kit 0.1.26's")
    func bodies() async throws {
        let fixture = try JSONValue(parsing: Data(contentsOf: Paths.fixtures.appendingPathComponent("tolokakit-0.1.26-notebook.json")))
        let server = try await StubServer()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One batch, as the notebook uploads all 120 tasks in one call.
        let runner = try WorkflowRunner(workflow: notebookWorkflow(batchSize: 500, fixedExpiry: true), client: server.client(),
                                        statePath: dir.appendingPathComponent("s.json").path, outDir: dir.path)
        runner.pollInterval = 0.01
        _ = try await runner.run()
        let sent = try await server.requests().filter { $0["method"] == "POST" }
        func body(_ path: String) -> JSONValue? { sent.first { $0["path"]?.stringValue == path }?["body"] }

        for (name, path) in [("project", "/api/v1/projects"), ("pool", "/api/v1/pools"), ("tasks", "/api/v1/tasks")] {
            let ours = normalized(try #require(body(path)))
            let theirs = normalized(try #require(fixture[name]))
            let diff = ours.differences(from: theirs)
            #expect(diff.isEmpty, "\(name): \(diff.prefix(5).joined(separator: "; "))")
        }
        let query = try #require(sent.first { $0["path"] == "/api/v1/tasks" }?["query"]?.objectValue)
        #expect(query["async_mode"] == fixture["tasks_query"]?["async_mode"])
        #expect(query["allow_defaults"] == fixture["tasks_query"]?["allow_defaults"])
        #expect(UUID(uuidString: query["operation_id"]?.stringValue ?? "") != nil)
    }

    @Test("the workflow's view config is exactly the notebook's template")
    func viewConfig() throws {
        let fixture = try JSONValue(parsing: Data(contentsOf: Paths.fixtures.appendingPathComponent("tolokakit-0.1.26-notebook.json")))
        let theirs = try #require(fixture["project"]?["task_spec"]?["view_spec"])
        let ours = try Workflow.load(Paths.workflow.path).project.taskSpec!.viewSpec!
        #expect(ours.lock == theirs["lock"]?.objectValue?.mapValues { $0.stringValue ?? "" })
        let config = try #require(ours.templateBuilderConfig)
        let theirConfig = try TemplateBuilderConfig(json: JSONValue(parsing: Data(theirs["config"]!.stringValue!.utf8)))
        #expect(config == theirConfig)
    }
}
