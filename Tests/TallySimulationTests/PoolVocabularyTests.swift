import Testing
import TallyCore
@testable import TallySimulation

/// The pool vocabulary `tally simulate` and the Toloka emulator share: the mixer, the statuses and
/// the event queue on the emulator's clock (seconds as `Double`).
@Suite struct PoolVocabularyTests {
    @Test func mixerReadsTolokaDefaults() {
        let m = Mixer(mixerConfig: ["real_tasks_count": 4, "golden_tasks_count": 1])
        #expect(m.realTasksCount == 4 && m.goldenTasksCount == 1 && m.trainingTasksCount == 0)
        #expect(m.minRealTasksCount == nil && m.minimumRealTasks == 4)
        #expect(m.forceLastAssignment && !m.mixTasksInCreationOrder && m.shuffleTasksInTaskSuite)
        #expect(m.suiteSize == 5)
    }

    @Test func mixerConfigRoundTrips() {
        var m = Mixer(real: 3, golden: 2, training: 1)
        m.minRealTasksCount = 2
        m.forceLastAssignment = false
        m.mixTasksInCreationOrder = true
        m.shuffleTasksInTaskSuite = false
        #expect(Mixer(mixerConfig: m.mixerConfig) == m)
        #expect(m.mixerConfig["min_real_tasks_count"] == .int(2))
        #expect(Mixer(real: 1, golden: 0).mixerConfig["min_real_tasks_count"] == nil)
    }

    /// One admission rule for short suites; what makes a suite the last one is the driver's setting.
    @Test func mixerAdmitsShortSuites() {
        var m = Mixer(real: 4, golden: 1)
        m.minRealTasksCount = 2
        #expect(m.admitsSuite(found: 4, searchExhausted: false, openTasks: 9, rule: .searchExhausted))
        #expect(m.admitsSuite(found: 2, searchExhausted: false, openTasks: 9, rule: .fewOpenInPool))
        #expect(!m.admitsSuite(found: 1, searchExhausted: false, openTasks: 9, rule: .searchExhausted))
        #expect(m.admitsSuite(found: 1, searchExhausted: true, openTasks: 9, rule: .searchExhausted))
        #expect(!m.admitsSuite(found: 1, searchExhausted: true, openTasks: 9, rule: .fewOpenInPool))
        #expect(m.admitsSuite(found: 1, searchExhausted: false, openTasks: 1, rule: .fewOpenInPool))
        #expect(!m.admitsSuite(found: 0, searchExhausted: true, openTasks: 0, rule: .fewOpenInPool))
        m.forceLastAssignment = false
        #expect(!m.admitsSuite(found: 1, searchExhausted: true, openTasks: 1, rule: .searchExhausted))
        #expect(!m.admitsSuite(found: 1, searchExhausted: true, openTasks: 1, rule: .fewOpenInPool))
        // A full suite is admitted even when min_real_tasks_count exceeds real_tasks_count (the emulator takes what the client sent).
        m.minRealTasksCount = 6
        #expect(m.admitsSuite(found: 4, searchExhausted: false, openTasks: 9, rule: .fewOpenInPool))
    }

    /// The scenario reader and the emulator read the same `mixer_config` the same way.
    @Test func scenarioPoolUsesTheSameMixer() throws {
        let s = try Scenarios.load("audio-gender")
        let json = try JSONValue(parsing: s.poolJSON())
        let config = try #require(json["mixer_config"]?.objectValue)
        #expect(Mixer(mixerConfig: config) == s.pool.mixer)
    }

    @Test func assignmentStatusNames() {
        #expect(AssignmentStatus.accepted.apiName == "ACCEPTED")
        #expect(AssignmentStatus.accepted.exportName == "APPROVED")
        for s in AssignmentStatus.allCases {
            #expect(AssignmentStatus(name: s.apiName) == s)
            #expect(AssignmentStatus(name: s.exportName) == s)
        }
        #expect(AssignmentStatus(name: "approved") == nil)
        #expect(PoolCloseReason(rawValue: "MANUAL") == .manual)
    }

    /// On the emulator's clock: by time, ties in push order, whatever the kind.
    @Test func eventQueueOnSeconds() {
        var q = EventQueue<Double>()
        q.push(2.5, .finish, 1)
        q.push(0.25, .arrival, 2)
        q.push(2.5, .expire, 3)
        q.push(1e-9, .request, 4)
        q.push(2.5, .complete, 5)
        var order: [Int32] = []
        var kinds: [EventQueue<Double>.Kind] = []
        while !q.isEmpty { let e = q.pop(); order.append(e.id); kinds.append(e.kind) }
        #expect(order == [4, 2, 1, 3, 5])
        #expect(kinds == [.request, .arrival, .finish, .expire, .complete])
    }
}

@Suite struct MajorityOutcomeTests {
    @Test func leaderTieAndEmpty() {
        let clear = MajorityOutcome(counts: [1, 3, 0] as [Int32])
        #expect(clear.leader == 1 && clear.size == 3)
        #expect(clear.agrees(1) && !clear.agrees(0))
        let tie = MajorityOutcome(counts: [2, 0, 2] as [Int32])
        #expect(tie.leader == nil && tie.size == 0 && !tie.agrees(0) && !tie.agrees(2))
        let none = MajorityOutcome(counts: [0, 0] as [Int32])
        #expect(none.leader == nil && none.size == 0)
        // A tie below the leader does not matter.
        let below = MajorityOutcome(counts: [1, 1, 4] as [Int32])
        #expect(below.leader == 2 && below.size == 4)
    }
}
