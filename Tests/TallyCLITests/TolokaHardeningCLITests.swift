import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyTestSupport

/// `tally toloka run` against `tally emulator serve` when things go wrong: lost answers to the
/// create requests, a pool that takes longer than `--timeout`, temporary files of a killed run,
/// and credentials too short to redact.
@Suite("tally toloka run: lost answers, --timeout, stale temporary files, short tokens")
struct TolokaHardeningCLITests {
    static let workflow = Repository.root.appendingPathComponent("datasets/toloka-audio-gender/workflow.json").path

    static func request(_ method: String, _ url: String, token: String, json: Any? = nil) async throws -> Any {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("ApiKey \(token)", forHTTPHeaderField: "Authorization")
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data)
    }

    static func items(_ url: String, token: String) async throws -> [[String: Any]] {
        let page = try #require(try await request("GET", url, token: token) as? [String: Any])
        return try #require(page["items"] as? [[String: Any]], "\(url): \(page)")
    }

    @Test("the answer to each create request (project, pool, tasks, open) is lost once: exactly one of each exists")
    func lostAnswers() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withTempDirectoryAsync { dir in
            let server = try EmulatorProcess.start(["--speed", "instant", "--seed", "3", "--token-env", "TALLY_LOST_TOKEN"],
                                                   environment: ["TALLY_LOST_TOKEN": token], log: dir.appendingPathComponent("emulator.log"))
            defer { server.stop() }
            let url = server.url
            // Each rule answers its request normally, then cuts the connection half-way through the answer.
            let faults: [[String: Any]] = [
                ["method": "POST", "path_prefix": "/api/v1/projects", "drop": true],
                ["method": "POST", "path_prefix": "/api/v1/pools/", "drop": true],  // …/open
                ["method": "POST", "path_prefix": "/api/v1/pools", "drop": true],
                ["method": "POST", "path_prefix": "/api/v1/tasks", "drop": true],
            ]
            let set = try #require(try await Self.request("POST", "\(url)/_emulator/faults", token: token, json: ["faults": faults]) as? [String: Any])
            #expect(set["faults"] as? Int == 4)

            let run = try CLI.run(["toloka", "run", Self.workflow, "--env", url, "--token-env", "TOLOKA_TOKEN", "--state", "state.json", "--out-dir", "out"],
                                  in: dir, environment: ["TOLOKA_TOKEN": token, "TALLY_TOLOKA_POLL_SECONDS": "0.05"])
            try #require(run.status == 0, "stderr: \(run.stderr)")
            #expect(run.stderr.contains("retrying"), "the answers were lost and the client noticed: \(run.stderr)")

            let projects = try await Self.items("\(url)/api/v1/projects?limit=300", token: token)
            #expect(projects.count == 1, "projects: \(projects.compactMap { $0["id"] })")
            let pools = try await Self.items("\(url)/api/v1/pools?limit=300", token: token)
            #expect(pools.count == 1, "pools: \(pools.compactMap { $0["id"] })")
            let poolID = try #require(pools.first?["id"] as? String)
            let tasks = try await Self.items("\(url)/api/v1/tasks?pool_id=\(poolID)&limit=1000", token: token)
            let paths = tasks.compactMap { ($0["input_values"] as? [String: Any])?["path"] as? String }
            #expect(tasks.count == 120 && Set(paths).count == 120, "tasks: \(tasks.count), distinct inputs \(Set(paths).count)")
            let opens = try await Self.items("\(url)/api/v1/operations?type=POOL.OPEN&limit=500", token: token)
            #expect(opens.count == 1, "POOL.OPEN operations: \(opens.count)")
            let uploads = try await Self.items("\(url)/api/v1/operations?type=TASK.BATCH_CREATE&limit=500", token: token)
            #expect(uploads.count == 1, "TASK.BATCH_CREATE operations: \(uploads.count)")
            // And the run went to the end: 3 answers on each of the 100 real tasks.
            let answers = try #require(readText(dir, "out/answers.tsv"))
            #expect(answers.split(separator: "\n").count == 301)
        }
    }

    @Test("--timeout stops a run whose pool does not close in time (exit 75), keeps the state, and the rerun continues without creating anything")
    func timeout() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withTempDirectoryAsync { dir in
            // At speed 1 the simulated crowd works in real time: the pool stays open for hours.
            let server = try EmulatorProcess.start(["--speed", "1", "--seed", "3", "--token-env", "TALLY_TIMEOUT_TOKEN"],
                                                   environment: ["TALLY_TIMEOUT_TOKEN": token], log: dir.appendingPathComponent("emulator.log"))
            defer { server.stop() }
            let args = ["toloka", "run", Self.workflow, "--env", server.url, "--token-env", "TOLOKA_TOKEN", "--state", "state.json", "--out-dir", "out",
                        "--poll-interval", "0.2", "--timeout", "3"]
            let env = ["TOLOKA_TOKEN": token, "TALLY_TOLOKA_POLL_SECONDS": "0.05"]
            let start = Date()
            let first = try CLI.run(args, in: dir, environment: env)
            let elapsed = Date().timeIntervalSince(start)
            #expect(first.status == 75, "stderr: \(first.stderr)")
            #expect(first.stderr.contains("time limit of 3 s") && first.stderr.contains("state.json"), "\(first.stderr)")
            #expect(elapsed < 60, "the run stopped at its limit (\(elapsed) s)")
            let state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("state.json"))) as? [String: Any])
            #expect(state["opened"] as? Bool == true && (state["pool"] as? [String: Any])?["id"] != nil, "\(state)")

            // A temporary file a killed writer left beside the state (its process is gone) is
            // removed by the next write of the state.
            let dead = Process()
            dead.executableURL = URL(fileURLWithPath: "/bin/true")
            try dead.run()
            dead.waitUntilExit()
            let stale = ".state.json.tmp-\(dead.processIdentifier)-AbC123"
            try Data("{\"torn".utf8).write(to: dir.appendingPathComponent(stale))
            let live = ".state.json.tmp-\(ProcessInfo.processInfo.processIdentifier)-XyZ789"  // this test process is alive
            try Data().write(to: dir.appendingPathComponent(live))

            // The rerun resumes: same project and pool, no second upload, and waits again.
            let second = try CLI.run(args, in: dir, environment: env)
            #expect(second.status == 75, "stderr: \(second.stderr)")
            let status = try #require(try await TolokaEndToEndTests.get("\(server.url)/_emulator/status", token: token) as? [String: Any])
            #expect((status["projects"] as? Int) == 1 && (status["pools"] as? Int) == 1 && (status["tasks"] as? Int) == 120, "\(status)")
            let names = try listing(dir)
            #expect(!names.contains(stale), "the stale temporary file is gone: \(names)")
            #expect(names.contains(live), "a live process's temporary file is kept: \(names)")
        }
    }

    @Test("a 10 MB task upload beside a stream of small requests: the small ones are not held up, the big one gets its 413")
    func largeBodyDoesNotStall() throws {
        let token = "tok-\(UUID().uuidString)"
        try withTempDirectory { dir in
            let server = try EmulatorProcess.start(["--speed", "instant", "--rate-limit", "none", "--token-env", "TALLY_LARGE_TOKEN"],
                                                   environment: ["TALLY_LARGE_TOKEN": token], log: dir.appendingPathComponent("emulator.log"))
            defer { server.stop() }
            // The timing runs in its own process (scripts/emulator_large_body.py), so that other
            // tests sharing this process's threads cannot delay the measuring client.
            let script = Process()
            script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            script.arguments = ["python3", Repository.root.appendingPathComponent("scripts/emulator_large_body.py").path,
                                "--port", String(server.port), "--token", token, "--mb", "10", "--rounds", "1",
                                "--kinds", "sync-tasks,bad-project", "--limit-ms", "1000"]
            let out = Pipe()
            script.standardOutput = out
            script.standardError = out
            try script.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            script.waitUntilExit()
            // Before the fix each body was parsed on the emulator's actor first, and every small
            // request waited for it (7–21 s in the probe). The bound is loose for a debug build on a
            // loaded machine; the same script against a release build is held to 100 ms.
            #expect(script.terminationStatus == 0, "\(text)")
            #expect(text.contains("sync-tasks") && text.contains("HTTP 413") && text.contains("bad-project") && text.contains("HTTP 400"), "\(text)")
        }
    }

    @Test("a credential shorter than 8 characters is refused (exit 65); redaction replaces only whole occurrences")
    func shortToken() throws {
        try withTempDirectory { dir in
            let r = try CLI.run(["toloka", "requester", "--env", "http://127.0.0.1:9", "--token-env", "TOLOKA_TOKEN"], in: dir, environment: ["TOLOKA_TOKEN": "t"])
            #expect(r.status == 65, "stderr: \(r.stderr)")
            #expect(r.stderr.contains("TOLOKA_TOKEN") && r.stderr.contains("at least 8"), "\(r.stderr)")
            #expect(!r.stderr.contains("‹redacted›"), "nothing was mangled: \(r.stderr)")
        }
    }
}
