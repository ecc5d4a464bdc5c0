import Foundation
import TallyCore
import Testing
import TallyTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import TolokaEmulator

/// The original notebook's Python code (toloka-kit + crowd-kit) against `tally emulator serve`,
/// changing only the URL and the token.
///
/// The virtual environments live beside the repository and are made by
/// `scripts/setup-toloka-venv.sh` (toloka-kit 0.1.26) and `scripts/setup-toloka-venv.sh --with-123`
/// (toloka-kit 1.2.3); each test is skipped, saying so, when its environment is missing.
@Suite("Emulator: the notebook in Python with toloka-kit", .serialized)
struct PythonEndToEndTests {
    static let venv0126 = ProcessInfo.processInfo.environment["TALLY_TOLOKA_VENV"].map(URL.init(fileURLWithPath:))
        ?? Repository.beside(".venv-toloka")
    static let venv123 = ProcessInfo.processInfo.environment["TALLY_TOLOKA_VENV_123"].map(URL.init(fileURLWithPath:))
        ?? Repository.beside(".venv-toloka-123")

    static func hasPython(_ venv: URL) -> Bool { FileManager.default.isExecutableFile(atPath: venv.appendingPathComponent("bin/python").path) }

    /// The `tally` executable built beside the test runner.
    static var tally: URL? { CLI.binary }

    @Test("toloka-kit 0.1.26 + crowd-kit 1.0.0 (run scripts/setup-toloka-venv.sh to enable)",
          .enabled(if: hasPython(venv0126), "no ../.venv-toloka beside the repository: run scripts/setup-toloka-venv.sh"),
          .enabled(if: tally != nil, "the tally executable is not built"))
    func notebook0126() async throws {
        try await runNotebook(venv: Self.venv0126, expectedKit: "0.1.26")
    }

    @Test("toloka-kit 1.2.3 + crowd-kit 1.0.0 (run scripts/setup-toloka-venv.sh --with-123 to enable)",
          .enabled(if: hasPython(venv123), "no ../.venv-toloka-123 beside the repository: run scripts/setup-toloka-venv.sh --with-123"),
          .enabled(if: tally != nil, "the tally executable is not built"))
    func notebook123() async throws {
        try await runNotebook(venv: Self.venv123, expectedKit: "1.2.3")
    }

    func runNotebook(venv: URL, expectedKit: String) async throws {
        let dir = try makeTempDirectory("tally-emulator-e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = Notebook.voices(120, seed: 21)
        let tasksFile = dir.appendingPathComponent("voices.tsv")
        try Notebook.truthTSV(rows).write(to: tasksFile, atomically: true, encoding: .utf8)
        let token = "e2e-\(UUID().uuidString)"

        // tally emulator serve on a free port; the token travels in the environment, never argv
        let server = try EmulatorProcess.start(["--speed", "60", "--seed", "5", "--truth", tasksFile.path],
                                               environment: ["TALLY_EMULATOR_TOKEN": token], log: dir.appendingPathComponent("emulator.log"))
        defer { server.stop() }
        let url = server.url, port = server.port

        // the notebook
        let python = Process()
        python.executableURL = venv.appendingPathComponent("bin/python")
        python.arguments = [Repository.file("scripts/toloka_notebook_flow.py").path, "--url", url, "--tasks", tasksFile.path, "--sleep", "1"]
        python.environment = ProcessInfo.processInfo.environment.merging(["TOLOKA_TOKEN": token, "TQDM_DISABLE": "1"]) { $1 }
        let out = dir.appendingPathComponent("out.json"), err = dir.appendingPathComponent("err.txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        python.standardOutput = try FileHandle(forWritingTo: out)
        python.standardError = try FileHandle(forWritingTo: err)
        try python.run()
        await Task.detached { python.waitUntilExit() }.value
        let stderrText = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        try #require(python.terminationStatus == 0, "the notebook failed:\n\(stderrText.suffix(3000))")
        let summary = try JSONValue(parsing: try Data(contentsOf: out))
        #expect(!stderrText.contains(token), "the token never shows in the client's output")

        #expect(summary["toloka_kit"]?.stringValue == expectedKit)
        #expect(summary["last_close_reason"]?.stringValue == "COMPLETED")
        #expect(summary["created_tasks"]?.intValue == 120)
        #expect(summary["real_tasks_answered"]?.intValue == 100)
        #expect(summary["answers_per_task"] == [3], "every real task got 3 answers")
        #expect(summary["percentages"]?.arrayValue?.isEmpty == false, "the wait loop saw the completion percentage")

        // Bans: what toloka-kit read from /user-restrictions is exactly what the golden-set rule did.
        let emulator = RunningEmulator(port: port, task: Task {}, state: try EmulatorState(EmulatorConfiguration()), token: token, session: URLSession(configuration: .ephemeral))
        let poolID = try #require(summary["pool_id"]?.stringValue)
        let log = try await emulator.send("GET", "/_emulator/pools/\(poolID)/quality-control-log").json?["items"]?.arrayValue ?? []
        let banned = Set(log.compactMap { $0["user_id"]?.stringValue })
        #expect(!banned.isEmpty)
        #expect(Set(summary["restricted_users"]?.arrayValue?.compactMap(\.stringValue) ?? []) == banned)

        // Accuracy: answers agree with the truth as often as the crowd's accuracies imply; Dawid-Skene does better.
        let crowd = try await emulator.send("GET", "/_emulator/crowd").json?["workers"]?.arrayValue ?? []
        let accuracy = Dictionary(uniqueKeysWithValues: crowd.map { ($0["user_id"]!.stringValue!, $0["accuracy"]?.doubleValue ?? 0.5) })
        let (assignments, _) = try await emulator.listAll("/api/v1/assignments", query: ["pool_id": poolID, "status": "ACCEPTED"], limit: 1000)
        var expected = 0.0, n = 0.0
        for a in assignments {
            for t in a["tasks"]!.arrayValue! where t["known_solutions"] == nil {
                expected += accuracy[a["user_id"]!.stringValue!]!
                n += 1
            }
        }
        let observed = try #require(summary["answer_accuracy"]?.doubleValue)
        #expect(n == 300)
        #expect(abs(observed - expected / n) < 0.06, "answers \(observed) vs the crowd's \(expected / n)")
        let ds = try #require(summary["ds_accuracy"]?.doubleValue)
        #expect(ds >= observed, "Dawid-Skene \(ds) vs single answers \(observed)")
        #expect(ds >= 0.9)
    }
}
