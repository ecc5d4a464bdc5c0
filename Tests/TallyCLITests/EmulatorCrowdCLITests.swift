import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyTestSupport

/// `tally emulator serve --crowd FILE`: a TallySimulation scenario or the built-in crowd's settings.
@Suite("tally emulator serve --crowd")
struct EmulatorCrowdCLITests {
    static let scenario = Repository.root.appendingPathComponent("datasets/toloka-audio-gender/crowd-scenario.json").path

    /// Starts `tally emulator serve --port 0 --speed instant` with `extra` arguments.
    static func start(_ extra: [String], token: String, log: URL) throws -> EmulatorProcess {
        try EmulatorProcess.start(["--speed", "instant", "--token-env", "TALLY_CROWD_TEST_TOKEN"] + extra,
                                  environment: ["TALLY_CROWD_TEST_TOKEN": token], log: log)
    }

    static func get(_ url: String, token: String) async throws -> Data {
        var request = URLRequest(url: URL(string: url)!)
        request.setValue("ApiKey \(token)", forHTTPHeaderField: "Authorization")
        return try await URLSession.shared.data(for: request).0
    }

    @Test("a scenario crowd: the log says what is used and ignored; the notebook's workflow runs and scores against the drawn truth")
    func scenarioCrowd() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withTempDirectoryAsync { dir in
            let log = dir.appendingPathComponent("emulator.log")
            let server = try Self.start(["--seed", "2", "--crowd", Self.scenario], token: token, log: log)
            defer { server.stop() }
            let url = server.url
            let text = try String(contentsOf: log, encoding: .utf8)
            #expect(text.contains("tally emulator: crowd: scenario \"audio-gender-crowd\": 200 Tolokers ("), "\(text)")
            #expect(text.contains("pool and simulation sections are ignored"), "\(text)")

            let crowd = try #require(try JSONSerialization.jsonObject(with: try await Self.get("\(url)/_emulator/crowd", token: token)) as? [String: Any])
            let workers = try #require(crowd["workers"] as? [[String: Any]])
            #expect(workers.count == 200)
            #expect(Set(workers.compactMap { $0["kind"] as? String }) == ["good", "weak", "spammer", "golden_detector"])

            let workflow = Repository.root.appendingPathComponent("datasets/toloka-audio-gender/workflow.json").path
            let run = try CLI.run(["toloka", "run", workflow, "--env", url, "--token-env", "TOLOKA_TOKEN", "--state", "state.json", "--out-dir", "out"],
                                  in: dir, environment: ["TOLOKA_TOKEN": token])
            try #require(run.status == 0, "stderr: \(run.stderr)")
            let state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("state.json"))) as? [String: Any])
            let pool = try #require((state["pool"] as? [String: Any])?["id"] as? String)
            try await Self.get("\(url)/_emulator/pools/\(pool)/truth", token: token).write(to: dir.appendingPathComponent("truth.tsv"))
            let evaluation = try CLI.run(["evaluate", "out/labels.tsv", "--gold", "truth.tsv", "--report", "json"], in: dir)
            let scores = try #require(try JSONSerialization.jsonObject(with: evaluation.stdoutData) as? [String: Any])
            #expect((scores["scored"] as? Int) == 100)
            // Mostly good Tolokers (accuracy ~ Beta(28, 3)), spammers the golden rule catches, a few golden detectors.
            #expect(((scores["accuracy"] as? Double) ?? 0) >= 0.85, "\(scores)")
        }
    }

    @Test("the built-in crowd's settings still work")
    func oneCoinSettings() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withTempDirectoryAsync { dir in
            let file = try writeFile(dir, "crowd.json", #"{"workers": 12, "mix": [{"kind": "good", "share": 1, "accuracy": [0.9, 1]}]}"#)
            let server = try Self.start(["--crowd", file], token: token, log: dir.appendingPathComponent("emulator.log"))
            defer { server.stop() }
            let url = server.url
            let crowd = try #require(try JSONSerialization.jsonObject(with: try await Self.get("\(url)/_emulator/crowd", token: token)) as? [String: Any])
            let workers = try #require(crowd["workers"] as? [[String: Any]])
            #expect(workers.count == 12)
            #expect(workers.allSatisfy { $0["kind"] as? String == "good" })
        }
    }

    @Test("bad crowd files: exit 2 and a message naming the file, the format and the field")
    func badFiles() throws {
        try withTempDirectory { dir in
            let cases: [(String, String)] = [
                (#"{"workers": 5, "mystery": 1}"#, #"--crowd bad.json: unknown key "mystery"; expected a TallySimulation scenario (labels, tasks, crowd with types, pool) or the built-in crowd's settings ("#),
                (#"{"labels": ["a", "b"], "tasks": {"count": 10}}"#, "--crowd bad.json: read as a TallySimulation scenario (it has labels): crowd: missing"),
                (#"{"workers": -1}"#, "--crowd bad.json: read as the built-in crowd's settings: workers: expected 1…1000000, got -1"),
                ("[]", "--crowd bad.json: expected a JSON object"),
            ]
            for (content, message) in cases {
                try writeFile(dir, "bad.json", content)
                let r = try CLI.run(["emulator", "serve", "--port", "0", "--crowd", "bad.json"], in: dir)
                #expect(r.status == 2, "\(content): \(r.stderr)")
                #expect(r.stderr.hasPrefix("tally: error: " + message), "\(content): \(r.stderr)")
            }
            let missing = try CLI.run(["emulator", "serve", "--port", "0", "--crowd", "nowhere.json"], in: dir)
            #expect(missing.status == 2)
            #expect(missing.stderr == "tally: error: --crowd nowhere.json: cannot read the file\n")
        }
    }
}
