import Foundation
import TallyCore
import Testing
import TallyTestSupport
@testable import TolokaClient

/// `tally toloka …` run as a process, against the stub.
@Suite("tally toloka CLI")
struct TolokaCLITests {
    /// Runs `tally args…` in `dir` with `env` added and any TOLOKA_TOKEN of this process removed.
    func tally(_ args: [String], env: [String: String], in dir: URL) async throws -> CLI.Output {
        try CLI.run(args, in: dir, environment: env, unset: ["TOLOKA_TOKEN"])
    }

    /// Every file under `dir`, recursively, as text.
    func allText(_ dir: URL) throws -> String {
        var out = ""
        for case let url as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! {
            if let d = FileManager.default.contents(atPath: url.path) { out += String(decoding: d, as: UTF8.self) }
        }
        return out
    }

    @Test("run, with faults, interrupted and resumed: outputs complete, and the token appears in no output, state file, log line or error")
    func runWithoutLeaks() async throws {
        let server = try await StubServer(token: "TOKEN-\(UUID().uuidString)-SECRET")
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["TOLOKA_TOKEN": server.token, "TALLY_TOLOKA_POLL_SECONDS": "0.01"]
        let common = [Paths.workflow.path, "--env", "emulator:\(server.port)", "--state", "state.json", "--out", "out", "--poll-interval", "0.01"]
        var logs = ""

        // Dry run: requests printed, none sent.
        let dry = try await tally(["toloka", "run"] + common + ["--dry-run"], env: env, in: dir)
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("POST http://127.0.0.1:\(server.port)/api/v1/projects") && dry.stdout.contains("\"mixer_config\""))
        logs += dry.stdout + dry.stderr
        #expect(try await server.requests().isEmpty)

        // First run fails mid-download (connections dropped past the retries)…
        try await server.faults([
            ["match": "POST /api/v1/pools", "kind": "status", "status": 503, "retry_after": "0", "times": 1],
            ["match": "GET /api/v1/requester", "kind": "status", "status": 429, "retry_after": "1", "times": 1],
            ["match": "GET /api/v1/assignments", "kind": "drop", "skip": 1, "times": 50],
        ])
        let first = try await tally(["toloka", "run"] + common + ["--retries", "2", "--page-size", "20"], env: env, in: dir)
        logs += first.stdout + first.stderr
        #expect(first.status != 0)
        #expect(first.stderr.contains("tally: error:"))
        // …the rerun completes.
        try await server.control("clear-faults", .object([:]))
        let second = try await tally(["toloka", "run"] + common + ["--page-size", "20", "--method", "mv"], env: env, in: dir)
        logs += second.stdout + second.stderr
        #expect(second.status == 0, "\(second.stderr)")
        for f in ["assignments.tsv", "answers.tsv", "gold.tsv", "labels.tsv", "probabilities.tsv", "summary.json", "assignments.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/\(f)").path), "\(f)")
        }
        let summary = try JSONValue(parsing: Data(contentsOf: dir.appendingPathComponent("out/summary.json")))
        #expect(summary["assignments"] == 75 && summary["answers"] == 300 && summary["tasks"] == 100)
        #expect(summary["cost_usd"]?.doubleValue == 0.75)
        let stats = try await server.stats()
        #expect(stats["projects"] == 1 && stats["pools"] == 1)

        // Default method (Dawid-Skene) writes worker skills.
        let ds = try await tally(["toloka", "run"] + common, env: env, in: dir)
        logs += ds.stdout + ds.stderr
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/skills.tsv").path))

        // The smaller commands.
        let pool = summary["pool_id"]?.stringValue ?? "?"
        let conn = ["--env", "emulator:\(server.port)"]
        let req = try await tally(["toloka", "requester"] + conn, env: env, in: dir)
        #expect(req.status == 0 && req.stdout.contains("566ec2b0ff0deeaae5f9d500629de162"))
        let status = try await tally(["toloka", "pool", "status", pool] + conn, env: env, in: dir)
        #expect(status.status == 0 && status.stdout.contains("status\tCLOSED") && status.stdout.contains("completion_percentage\t100"))
        let dl = try await tally(["toloka", "assignments", pool, "--status", "ACCEPTED", "--out", "acc.jsonl", "--page-size", "7"] + conn, env: env, in: dir)
        #expect(dl.status == 0)
        let lines = try String(contentsOf: dir.appendingPathComponent("acc.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 75)
        let tsv = try await tally(["toloka", "assignments", pool, "--out", "acc.tsv"] + conn, env: env, in: dir)
        #expect(tsv.status == 0)
        let agg = try await tally(["aggregate", "acc.tsv", "--method", "mv", "--out", "mv.tsv"], env: [:], in: dir)
        #expect(agg.status == 0, "\(agg.stderr)")
        // Token from a file; a wrong token fails with the server's error and no token.
        try "wrong-\(server.token)\n".write(to: dir.appendingPathComponent("tok"), atomically: true, encoding: .utf8)
        let bad = try await tally(["toloka", "requester", "--token-file", "tok"] + conn, env: [:], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("AUTHENTICATION_ERROR"))
        logs += [req, status, dl, tsv, bad].map { $0.stdout + $0.stderr }.joined()
        // No token: a clear message.
        let none = try await tally(["toloka", "requester"] + conn, env: [:], in: dir)
        #expect(none.status != 0 && none.stderr.contains("TOLOKA_TOKEN"))

        try FileManager.default.removeItem(at: dir.appendingPathComponent("tok"))
        #expect(!logs.contains(server.token), "token in a log line or error")
        #expect(!(try allText(dir)).contains(server.token), "token in an output or state file")
        // The requests carried it only in the Authorization header the stub leaves out of its log.
        #expect(!(try await server.requests()).map { $0.serialized(numbers: .python) }.joined().contains(server.token))
    }
}
