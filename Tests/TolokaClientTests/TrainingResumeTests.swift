import Foundation
import Testing
import TallyCore
@testable import TolokaClient

/// The skill and training steps of a run, killed at each of their requests (before it is sent,
/// or after it reached the emulator with its answer lost) and run again: the emulator ends with
/// one project, one skill, one training holding each training task once, open.
@Suite("Resumable toloka run: skills and training", .serialized)
struct TrainingResumeTests {
    func runner(_ emulator: InProcessEmulator, _ dir: URL, _ transport: any HTTPTransport) throws -> WorkflowRunner {
        let w = try Workflow.load(GalleryClientTests.trainingWorkflow.path)
        let r = try WorkflowRunner(workflow: w, client: emulator.client(pageSize: 4, transport: transport),
                                   statePath: dir.appendingPathComponent("state.json").path, outDir: dir.path)
        r.pollInterval = 0.001
        return r
    }

    /// Runs up to the first POST ending in `suffix` (the training's open, or the main pool's
    /// creation); true when it got there rather than being killed earlier.
    func reaches(_ suffix: String, _ emulator: InProcessEmulator, _ dir: URL, _ transport: KillSwitch) async throws -> Bool {
        do {
            _ = try await runner(emulator, dir, transport).run()
            Issue.record("the run went past \(suffix)")
            return true
        } catch is SimulatedCrash {
            return transport.seen.last.map { $0.method == "POST" && $0.url.path.hasSuffix(suffix) } ?? false
        }
    }

    /// One project, one skill, one training holding each training task once; returns the training.
    func verify(_ emulator: InProcessEmulator, _ context: String) async throws -> Training {
        let client = emulator.client()
        let projects = try await client.projects()
        #expect(projects.count == 1, "\(context): projects")
        #expect(try await client.skills(name: "Speaker gender accuracy").count == 1, "\(context): skills")
        let trainings = try await client.trainings(projectID: try #require(projects.first?.id))
        #expect(trainings.count == 1, "\(context): trainings")
        let training = try #require(trainings.first)
        let tasks = try await client.tasks(poolID: try #require(training.id))
        #expect(tasks.count == 10 && Set(tasks.map { $0.inputValues["path"] }).count == 10, "\(context): training tasks")
        return training
    }

    @Test("killed at each skill or training request, the rerun creates each object once", arguments: ["kill", "lose"])
    func sweep(mode: String) async throws {
        // The requests before the training opens (the crowd's work starts there).
        let open = "/open"
        let probe = try InProcessEmulator()
        let pdir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: pdir) }
        let counter = KillSwitch(StopBefore(inner: probe, pathSuffix: open))
        #expect(try await reaches(open, probe, pdir, counter))
        let before = counter.count - 1
        #expect(before >= 8, "requests before the training opens: \(counter.seen.map { "\($0.method) \($0.url.path)" })")

        for k in 1...before {
            let emulator = try InProcessEmulator()
            let dir = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let stop = StopBefore(inner: emulator, pathSuffix: open)
            let first = mode == "kill" ? KillSwitch(stop, killBefore: k) : KillSwitch(stop, loseAfter: k)
            #expect(try await reaches(open, emulator, dir, first) == false, "\(mode) at \(k): the first run was stopped")
            #expect(try await reaches(open, emulator, dir, KillSwitch(stop)), "\(mode) at \(k): the rerun reached the training's open")
            _ = try await verify(emulator, "\(mode) at \(k)")
        }
    }

    @Test("the answer to the training's open lost: the rerun finds it open and goes on to the main pool")
    func lostOpen() async throws {
        let emulator = try InProcessEmulator()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let probe = KillSwitch(StopBefore(inner: emulator, pathSuffix: "/open"))
        #expect(try await reaches("/open", emulator, dir, probe))
        // The rerun's requests: the credential check (1), then the training's open (2), whose answer is lost.
        let lose = KillSwitch(StopBefore(inner: emulator), loseAfter: 2)
        do {
            _ = try await runner(emulator, dir, lose).run()
            Issue.record("the run was not stopped")
        } catch is SimulatedCrash {}
        #expect(lose.seen.last.map { "\($0.method) \($0.url.path)" }?.hasSuffix("/open") == true)
        let state = try String(contentsOf: dir.appendingPathComponent("state.json"), encoding: .utf8)
        #expect(!state.contains("training_opened"), "the open is not recorded: its answer was lost")
        #expect(try await reaches("/api/v1/pools", emulator, dir, KillSwitch(StopBefore(inner: emulator))))
        #expect(try await verify(emulator, "lost open").isOpen)
    }
}
