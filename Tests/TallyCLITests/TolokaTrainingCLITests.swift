import Foundation
import Testing
import TallyTestSupport

/// `tally toloka run` of the shipped training workflow against `tally emulator serve`: a training
/// pool, a declared skill and Toloka's aggregation from one file.
@Suite("tally toloka run: a workflow with a training pool and skills")
struct TolokaTrainingCLITests {
    static let workflow = Repository.file("datasets/toloka-audio-gender/workflow-training.json").path

    @Test("the training workflow runs; summary.json names the training and the skill; Toloka's aggregation is compared or its error reported; the token appears nowhere")
    func trainingWorkflow() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withTempDirectoryAsync { dir in
            let server = try TolokaEndToEndTests.startEmulator(token: token, log: dir.appendingPathComponent("emulator.log"))
            defer { server.stop() }
            let args = ["toloka", "run", Self.workflow, "--env", server.url, "--token-env", "TOLOKA_TOKEN", "--state", "state.json", "--out-dir", "out"]
            let clock = ContinuousClock.now
            let run = try CLI.run(args, in: dir, environment: ["TOLOKA_TOKEN": token])
            let wall = (ContinuousClock.now - clock) / .seconds(1)
            try #require(run.status == 0, "stderr: \(run.stderr)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/summary.json"))) as? [String: Any])
            // `seconds` is the run's own wall time: within the process's, and most of it (the rest is start-up).
            let seconds = try #require(summary["seconds"] as? Double)
            #expect(seconds > 0 && seconds <= wall && seconds >= wall / 2 - 1, "summary seconds \(seconds), process wall \(wall)")
            #expect(summary["training_id"] is String)
            #expect((summary["skill_ids"] as? [String: String])?["Speaker gender accuracy"] != nil)
            #expect(summary["tasks"] as? Int == 100 && summary["close_reason"] as? String == "COMPLETED")
            let toloka = try #require(summary["toloka_aggregation"] as? [String: Any])
            #expect(toloka["type"] as? String == "DAWID_SKENE")
            if let error = toloka["error"] as? String {
                #expect(error.contains("404"), "the only expected failure is a server without the route: \(error)")
                #expect(run.stderr.contains("aggregation failed"))
            } else {
                #expect(toloka["compared_tasks"] as? Int == 100)
                #expect(toloka["same_label_as_ds"] as? Int == 100, "Toloka's DAWID_SKENE against Tally's ds: \(toloka)")
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/toloka_labels.tsv").path))
            }
            for file in ["state.json", "out/summary.json", "out/assignments.jsonl"] {
                #expect(!(try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)).contains(token), "\(file)")
            }
            #expect(!run.stdout.contains(token) && !run.stderr.contains(token))
        }
    }

    @Test("a workflow naming an undeclared skill exits 65 naming the file and the skill")
    func undeclaredSkill() throws {
        try withTempDirectory { dir in
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.workflow))) as? [String: Any])
            json["skills"] = []
            let folder = URL(fileURLWithPath: Self.workflow).deletingLastPathComponent()
            for name in ["tasks.tsv", "training.tsv"] {
                try FileManager.default.copyItem(at: folder.appendingPathComponent(name), to: dir.appendingPathComponent(name))
            }
            try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("w.json"))
            let run = try CLI.run(["toloka", "run", "w.json", "--env", "emulator", "--state", "s.json", "--out-dir", "out", "--dry-run"], in: dir)
            #expect(run.status == 65, "stderr: \(run.stderr)")
            #expect(run.stderr.contains("w.json") && run.stderr.contains("Speaker gender accuracy"), "stderr: \(run.stderr)")
        }
    }
}
