import Foundation
import Testing
import TallyCore
@testable import TolokaClient

/// Kills the run at every request (before it is sent, or after it reached the server with its
/// answer lost), reruns, and checks the server ends with one project, one pool, each task once,
/// and the download holds every accepted assignment exactly once.
@Suite("Resumable toloka run", .serialized)
struct ResumeTests {
    struct Check {
        let server: StubServer
        let dir: URL
        var state: String { dir.appendingPathComponent("state.json").path }
    }

    func runner(_ server: StubServer, _ dir: URL, transport: KillSwitch) throws -> WorkflowRunner {
        let client = server.client(transport: transport, pageSize: 10)
        let r = try WorkflowRunner(workflow: notebookWorkflow(batchSize: 25), client: client,
                                   statePath: dir.appendingPathComponent("state.json").path, outDir: dir.path)
        r.pollInterval = 0.01
        return r
    }

    /// Runs with `transport`; returns whether it crashed.
    func attempt(_ server: StubServer, _ dir: URL, _ transport: KillSwitch) async throws -> Bool {
        do {
            _ = try await runner(server, dir, transport: transport).run()
            return false
        } catch is SimulatedCrash {
            return true
        }
    }

    func verify(_ server: StubServer, _ dir: URL, context: String) async throws {
        let stats = try await server.stats()
        #expect(stats["projects"] == 1, "\(context): projects")
        #expect(stats["pools"] == 1, "\(context): pools")
        let pool = stats["tasks"]?.objectValue?.keys.first ?? "?"
        #expect(stats["tasks"]?[pool] == 120, "\(context): tasks")
        #expect(stats["duplicate_tasks"]?[pool] == 0, "\(context): duplicate tasks")
        let expected = (stats["assignments"]?[pool]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
        let lines = try String(contentsOf: dir.appendingPathComponent("assignments.jsonl"), encoding: .utf8).split(separator: "\n")
        let got = try lines.map { try JSONValue(parsing: Data($0.utf8))["id"]?.stringValue ?? "" }
        #expect(got == expected && expected.count == 75, "\(context): assignments \(got.count) vs \(expected.count)")
        // The export is readable by TallyCore's Toloka-export reader: 300 real + 75 golden answers.
        let export = try AnswerReader.read(dir.appendingPathComponent("assignments.tsv").path, options: AnswerReadOptions(format: .toloka))
        #expect(export.table.answerCount == 375, "\(context): export rows")
        #expect((export.gold?.count ?? 0) > 0, "\(context): gold from GOLDEN: cells")
        let answers = try AnswerReader.read(dir.appendingPathComponent("answers.tsv").path, options: AnswerReadOptions(format: .crowdkit))
        #expect(answers.table.answerCount == 300 && answers.table.taskCount == 100, "\(context): crowd-kit answers")
    }

    @Test("a clean run makes the requests of the notebook's sequence")
    func clean() async throws {
        let server = try await StubServer()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = KillSwitch()
        #expect(try await attempt(server, dir, t) == false)
        try await verify(server, dir, context: "clean")
        let calls = t.seen.map { "\($0.method) \($0.url.path)" }
        #expect(calls.first == "GET /api/v1/requester")
        #expect(calls.filter { $0 == "POST /api/v1/tasks" }.count == 5)
        // Rerunning a finished run sends only the credential check.
        let again = KillSwitch()
        #expect(try await attempt(server, dir, again) == false)
        #expect(again.count == 1)
        try await verify(server, dir, context: "rerun of a finished run")
    }

    @Test("killed at each request, before it is sent or with its answer lost: the rerun completes exactly once", arguments: ["kill", "lose"])
    func sweep(mode: String) async throws {
        // Count the requests of a clean run.
        let probe = try await StubServer()
        let pdir = try Paths.temporaryDirectory()
        let counter = KillSwitch()
        _ = try await attempt(probe, pdir, counter)
        probe.stop()
        try? FileManager.default.removeItem(at: pdir)
        let total = counter.count
        #expect(total > 30)

        let server = try await StubServer()
        for n in 1...total {
            try await server.reset()
            let dir = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let first = mode == "kill" ? KillSwitch(killBefore: n) : KillSwitch(loseAfter: n)
            let crashed = try await attempt(server, dir, first)
            #expect(crashed || n > first.count, "request \(n) of \(total) was not reached")
            #expect(try await attempt(server, dir, KillSwitch()) == false)
            try await verify(server, dir, context: "\(mode) at request \(n)")
        }
    }

    @Test("killed again and again (every 5th request) until done")
    func repeatedKills() async throws {
        let server = try await StubServer()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var runs = 0
        while try await attempt(server, dir, KillSwitch(loseAfter: 5)) {
            runs += 1
            #expect(runs < 100)
            if runs >= 100 { break }
        }
        #expect(runs > 5)
        try await verify(server, dir, context: "repeated kills")
    }

    @Test("a network failure (after retries) stops the run; the rerun continues")
    func networkFailure() async throws {
        let server = try await StubServer()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await server.faults([["match": "GET /api/v1/assignments", "kind": "drop", "skip": 3, "times": 20]])
        let error = await #expect(throws: TolokaError.self) { _ = try await runner(server, dir, transport: KillSwitch()).run() }
        #expect(error?.kind == .transport)
        let state = try #require(try RunState.load(dir.appendingPathComponent("state.json").path))
        #expect(state.download?.count == 30 && state.download?.done == false)
        try await server.control("clear-faults", .object([:]))
        #expect(try await attempt(server, dir, KillSwitch()) == false)
        try await verify(server, dir, context: "network failure")
    }

    @Test("a state file from another server or another workflow is refused")
    func refusesForeignState() async throws {
        let server = try await StubServer()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try await attempt(server, dir, KillSwitch()) == false)
        let other = try await StubServer()
        let error = #expect(throws: TolokaError.self) { _ = try runner(other, dir, transport: KillSwitch()) }
        #expect(error?.kind == .conflict)
        let client = server.client()
        let changed = #expect(throws: TolokaError.self) {
            _ = try WorkflowRunner(workflow: notebookWorkflow(batchSize: 30), client: client, statePath: dir.appendingPathComponent("state.json").path, outDir: dir.path)
        }
        #expect(changed?.kind == .conflict)
    }

    @Test("dry run lists the requests without sending any and without the token")
    func dryRun() async throws {
        let server = try await StubServer()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = KillSwitch()
        let planned = try runner(server, dir, transport: t).plannedRequests()
        #expect(t.count == 0)
        #expect(planned.filter { $0.method == "POST" && $0.url.path.hasSuffix("/v1/tasks") }.count == 5)
        #expect(planned.allSatisfy { $0.headers["Authorization"] == nil })
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("state.json").path))
    }
}
