import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyTestSupport

/// The whole labelling workflow from one command, against the emulator on loopback: `tally
/// emulator serve` in one process, `tally toloka run` of the shipped notebook workflow in another.
@Suite("tally toloka run against tally emulator serve")
struct TolokaEndToEndTests {
    /// Starts the emulator on a free port with the crowd's hidden truth of the shipped notebook.
    static func startEmulator(token: String, log: URL) throws -> EmulatorProcess {
        try EmulatorProcess.start(["--speed", "instant", "--seed", "3",
                                   "--truth", Repository.file("datasets/toloka-audio-gender/tasks-truth.tsv").path,
                                   "--token-env", "TALLY_E2E_EMULATOR_TOKEN"],
                                  environment: ["TALLY_E2E_EMULATOR_TOKEN": token], log: log)
    }

    static func get(_ url: String, token: String) async throws -> Any {
        var request = URLRequest(url: URL(string: url)!)
        request.setValue("ApiKey \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data)
    }

    @Test("the notebook's workflow: 3 answers per real task, the golden rule's bans, labels as the crowd implies; a rerun creates nothing twice; the token appears nowhere")
    func notebookWorkflow() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withTempDirectoryAsync { dir in
            let server = try Self.startEmulator(token: token, log: dir.appendingPathComponent("emulator.log"))
            defer { server.stop() }
            let url = server.url
            let workflow = Repository.root.appendingPathComponent("datasets/toloka-audio-gender/workflow.json").path
            let args = ["toloka", "run", workflow, "--env", url, "--token-env", "TOLOKA_TOKEN", "--state", "state.json", "--out-dir", "out"]
            let first = try CLI.run(args, in: dir, environment: ["TOLOKA_TOKEN": token])
            try #require(first.status == 0, "stderr: \(first.stderr)")

            // Every real task has exactly 3 answers.
            let answers = try String(contentsOf: dir.appendingPathComponent("out/answers.tsv"), encoding: .utf8)
            var perTask: [Substring: Int] = [:]
            for line in answers.split(separator: "\n").dropFirst() { perTask[line.split(separator: "\t")[0], default: 0] += 1 }
            #expect(perTask.count == 100)
            #expect(Set(perTask.values) == [3])

            // The golden-set rule banned workers, and replaying the downloaded export through the
            // pool's own rules bans exactly the same ones.
            let state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("state.json"))) as? [String: Any])
            let pool = try #require((state["pool"] as? [String: Any])?["id"] as? String)
            let log = try #require(try await Self.get("\(url)/_emulator/pools/\(pool)/quality-control-log", token: token) as? [String: Any])
            let banned = Set(((log["items"] as? [[String: Any]]) ?? []).compactMap { $0["user_id"] as? String })
            #expect(!banned.isEmpty, "the ≤ 80 % rule bans someone in a crowd with spammers")
            let workflowJSON = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: workflow))) as? [String: Any])
            try JSONSerialization.data(withJSONObject: try #require(workflowJSON["pool"])).write(to: dir.appendingPathComponent("pool.json"))
            let replay = try CLI.run(["qc", "replay", "out/assignments.tsv", "--rules", "pool.json"], in: dir)
            #expect(replay.status == 0, "stderr: \(replay.stderr)")
            let replayed = Set(replay.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[1]) })
            #expect(replayed == banned)

            // Labels: the emulator's crowd is mostly good workers, so Dawid-Skene on 3 answers is right
            // on at least 90 % of the tasks.
            let truth = Repository.root.appendingPathComponent("datasets/toloka-audio-gender/tasks-truth.tsv").path
            let evaluation = try CLI.run(["evaluate", "out/labels.tsv", "--gold", truth, "--report", "json"], in: dir)
            let scores = try #require(try JSONSerialization.jsonObject(with: evaluation.stdoutData) as? [String: Any])
            #expect((scores["scored"] as? Int) == 100)
            #expect(((scores["accuracy"] as? Double) ?? 0) >= 0.9, "\(scores)")

            // A rerun finds everything done: one project, one pool, 120 tasks, the same answers.
            let second = try CLI.run(args, in: dir, environment: ["TOLOKA_TOKEN": token])
            #expect(second.status == 0, "stderr: \(second.stderr)")
            let status = try #require(try await Self.get("\(url)/_emulator/status", token: token) as? [String: Any])
            #expect((status["projects"] as? Int) == 1 && (status["pools"] as? Int) == 1 && (status["tasks"] as? Int) == 120, "\(status)")
            #expect(try String(contentsOf: dir.appendingPathComponent("out/answers.tsv"), encoding: .utf8) == answers)

            // The token is in no file and no output.
            let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            for file in files where !file.hasDirectoryPath {
                let bytes = (try? Data(contentsOf: file)) ?? Data()
                #expect(bytes.range(of: Data(token.utf8)) == nil, "the token is in \(file.lastPathComponent)")
            }
            for text in [first.stdout, first.stderr, second.stdout, second.stderr, replay.stderr] { #expect(!text.contains(token)) }
        }
    }
}
