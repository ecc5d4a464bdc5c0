import Foundation
import Testing
import TallyCore
@testable import TallyQualityControl

@Suite("QualityControl replay of a Toloka export")
struct TolokaExportEventsTests {
    static let header = "INPUT:path\tOUTPUT:result\tGOLDEN:result\tHINT:text\tASSIGNMENT:task_id\tASSIGNMENT:assignment_id\tASSIGNMENT:worker_id\tASSIGNMENT:status\tASSIGNMENT:started\tASSIGNMENT:submitted"

    /// Rows: (input, output, golden, assignment, worker, status, started, submitted).
    static func tsv(_ rows: [(String, String, String, String, String, String, String, String)]) -> String {
        ([header] + rows.map { r in [r.0, r.1, r.2, "", "t-" + r.0, r.3, r.4, r.5, r.6, r.7].joined(separator: "\t") }).joined(separator: "\n") + "\n"
    }

    static func read(_ text: String) throws -> TolokaExportEvents {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qc-export-\(UUID().uuidString).tsv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try TolokaExportEvents.read(path: url.path)
    }

    @Test("timestamps: Toloka's format as Unix seconds")
    func timestamps() {
        #expect(TolokaTime.parse("1970-01-01T00:00:00") == 0)
        #expect(TolokaTime.parse("2024-02-04T19:13:23.631") == 1_707_074_003.631)
        #expect(TolokaTime.parse("2000-03-01 00:00:00Z") == 951_868_800)
        #expect(TolokaTime.parse("2024-02-04") == nil)
        #expect(TolokaTime.parse("2024-13-04T00:00:00") == nil)
    }

    @Test("events from an export: submissions with control outcomes and durations, accepts, majorities; replay bans")
    func events() throws {
        let text = Self.tsv([
            // a1: worker A, one wrong control answer, 15 s
            ("g1", "male", "female", "a1", "A", "APPROVED", "2024-02-04T10:00:00.000", "2024-02-04T10:00:15.000"),
            ("x1", "male", "", "a1", "A", "APPROVED", "2024-02-04T10:00:00.000", "2024-02-04T10:00:15.000"),
            // a2: worker B, right control answer, 100 s
            ("g1", "female", "female", "a2", "B", "APPROVED", "2024-02-04T10:01:00.000", "2024-02-04T10:02:40.000"),
            ("x1", "female", "", "a2", "B", "APPROVED", "2024-02-04T10:01:00.000", "2024-02-04T10:02:40.000"),
            // a3: worker C, rejected
            ("x1", "female", "", "a3", "C", "REJECTED", "2024-02-04T10:03:00.000", "2024-02-04T10:04:00.000"),
        ])
        let export = try Self.read(text)
        #expect(export.workers.names == ["A", "B", "C"])
        let t0 = TolokaTime.parse("2024-02-04T10:00:00")!
        #expect(export.events.first == .submitted(time: t0 + 15, worker: 0, duration: 15, control: AnswerOutcomes([false])))
        #expect(export.events.contains(AssignmentEvent(time: t0 + 240, worker: 2, .rejected)))
        // x1: female ×2 vs male ×1 → majority of 2, resolved at the last submission
        let majority = export.events.compactMap { e -> (Int32, Bool, Int32, Double)? in
            if case .majorityResolved(_, let agreed, let size) = e.kind { return (e.worker, agreed, size, e.time) }
            return nil
        }
        #expect(majority.map(\.0) == [0, 1, 2])
        #expect(majority.map(\.1) == [false, true, true])
        #expect(majority.allSatisfy { $0.2 == 2 && $0.3 == t0 + 240 })
        #expect(zip(export.events, export.events.dropFirst()).allSatisfy { $0.time <= $1.time })

        let qc = try QualityControl.decode(Data(QualityControlJSONTests.pool.utf8))
        let actions = try export.replay(qc)
        // A: wrong golden answer (banned 3 days) and a fast suite (15 s < 20 s: permanent project ban).
        #expect(actions.map { export.workers.name($0.worker) } == ["A", "A"])
        #expect(actions.map(\.config) == [0, 1])
        #expect(actions[0].restrictionEnd == t0 + 15 + 3 * day)
        #expect(actions[1].restrictionEnd == .infinity)
    }

    @Test("skips, expiries and active assignments; bad timestamps name the file and line")
    func statuses() throws {
        let text = Self.tsv([
            ("x1", "", "", "a1", "A", "SKIPPED", "2024-02-04T10:00:00", ""),
            ("x2", "", "", "a2", "A", "EXPIRED", "2024-02-04T10:01:00", ""),
            ("x3", "", "", "a3", "A", "ACTIVE", "2024-02-04T10:02:00", ""),
        ])
        let export = try Self.read(text)
        #expect(export.events.map(\.kind) == [.skipped, .expired])
        let bad = Self.tsv([("x1", "a", "", "a1", "A", "APPROVED", "04.02.2024", "")])
        #expect {
            try Self.read(bad)
        } throws: { error in
            guard let e = error as? QualityControlError else { return false }
            return e.path.hasSuffix(".tsv:2") && e.message.contains("ASSIGNMENT:started") && e.message.contains("04.02.2024")
        }
    }

    @Test("QualityControlReplay sorts events by time, keeping ties in order")
    func replaySorts() throws {
        let actions = try QualityControlReplay.run([submit(5, 1, false), submit(1, 0, false), submit(5, 2, false)], rules: notebookRule)
        #expect(actions.map(\.worker) == [0, 1, 2])
    }
}
