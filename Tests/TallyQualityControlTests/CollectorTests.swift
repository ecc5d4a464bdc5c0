import Testing
@testable import TallyQualityControl

@Suite("QualityControl collectors")
struct CollectorTests {
    @Test("ASSIGNMENT_SUBMIT_TIME: fast means strictly faster than the threshold; window of history_size suites")
    func submitTime() throws {
        // "suspend on 2 fast suites among the last 3" (threshold 20 s)
        let qc = single(.assignmentSubmitTime(fastSubmitThresholdSeconds: 20, historySize: 3), [
            Condition(.fastSubmittedCount, .gte, 2), Condition(.totalSubmittedCount, .gte, 1),
        ])
        var e = try run(qc, [
            submit(1, 0, duration: 19.9), submit(2, 0, duration: 20), submit(3, 0, duration: 60), // 1 fast in 3 (20 s is not fast)
            submit(4, 0, duration: .nan),                                                           // unknown: not fast; window 20, 60, nan
        ])
        #expect(e.actions.isEmpty)
        #expect(e.window(rule: 0, worker: 0) == [0, 0, 0])
        e.process(submit(5, 0, duration: 3))
        #expect(e.actions.isEmpty)
        e.process(submit(6, 0, duration: 4))
        let a = try #require(e.actions.first)
        #expect(a.time == 6)
        #expect(a.value(.fastSubmittedCount) == 2)
        #expect(a.value(.totalSubmittedCount) == 3)
    }

    @Test("ASSIGNMENT_SUBMIT_TIME: one fast suite bans (ban on a suite in < 10 s)")
    func oneFast() throws {
        let qc = single(.assignmentSubmitTime(fastSubmitThresholdSeconds: 10, historySize: 5), [Condition(.fastSubmittedCount, .gte, 1)], ban(1, .days))
        let e = try run(qc, [submit(0, 1, duration: 30), submit(50, 1, duration: 9)])
        #expect(e.actions.map(\.time) == [50])
    }

    @Test("ANSWER_COUNT counts every submitted suite in the pool")
    func answerCount() throws {
        let qc = single(.answerCount, [Condition(.assignmentsAcceptedCount, .gte, 3)], .approveAllAssignments)
        let e = try run(qc, [submit(1), AssignmentEvent(time: 2, worker: 0, .skipped), submit(3), submit(4), submit(5)])
        #expect(e.actions.map(\.time) == [4, 5])
        #expect(e.actions.map { $0.value(.assignmentsAcceptedCount) } == [3, 4])
    }

    @Test("SKIPPED_IN_ROW_ASSIGNMENTS: a submission resets the run; expiries neither count nor reset")
    func skipped() throws {
        let qc = single(.skippedInRowAssignments, [Condition(.skippedInRowCount, .gte, 3)], ban(30, .minutes))
        func skip(_ t: Double) -> AssignmentEvent { AssignmentEvent(time: t, worker: 0, .skipped) }
        var e = try run(qc, [skip(1), skip(2), submit(3), skip(4), skip(5), AssignmentEvent(time: 6, worker: 0, .expired)])
        #expect(e.actions.isEmpty)
        e.process(skip(7))
        #expect(e.actions.map(\.time) == [7])
        #expect(e.actions[0].restrictionEnd == Double(7 + 1800))
        #expect(e.actions[0].value(.skippedInRowCount) == 3)
    }

    @Test("ACCEPTANCE_RATE: accepted and rejected shares over the last reviews")
    func acceptance() throws {
        let qc = single(.acceptanceRate(historySize: 4), [Condition(.rejectedAssignmentsRate, .gte, 50), Condition(.totalAssignmentsCount, .gte, 4)], .rejectAllAssignments(publicComment: nil))
        func review(_ t: Double, _ ok: Bool) -> AssignmentEvent { AssignmentEvent(time: t, worker: 3, ok ? .accepted : .rejected) }
        var e = try run(qc, [review(1, false), review(2, true), review(3, true), review(4, false)])  // 2/4 rejected
        #expect(e.actions.map(\.time) == [4])
        e.process(review(5, true))  // last 4: T T F T → 25 %
        #expect(e.actions.count == 1)
        #expect(e.actions[0].value(.rejectedAssignmentsRate) == 50)
    }

    @Test("MAJORITY_VOTE: counts resolved tasks whose majority reaches answer_threshold; ignores the rest")
    func majority() throws {
        // overlap 5: ban when 2 of 3 finished tasks disagree with the majority (answer_threshold 3)
        let qc = single(.majorityVote(answerThreshold: 3, historySize: 3), [
            Condition(.incorrectAnswersRate, .gte, 60), Condition(.totalAnswersCount, .gte, 3),
        ])
        func resolved(_ t: Double, _ agreed: Bool, _ size: Int32 = 4) -> AssignmentEvent {
            AssignmentEvent(time: t, worker: 0, .majorityResolved(task: Int32(t), agreed: agreed, majoritySize: size))
        }
        var e = try run(qc, [resolved(1, false), resolved(2, false, 2), resolved(3, true), resolved(4, false, 0)])
        #expect(e.actions.isEmpty)
        #expect(e.window(rule: 0, worker: 0) == [0, 1])
        e.process(resolved(5, false))  // F T F: 66.7 % disagree
        let a = try #require(e.actions.first)
        #expect(a.time == 5)
        #expect(abs(a.value(.incorrectAnswersRate)! - 200.0 / 3) < 1e-9)
        // Submissions do not touch it.
        #expect(try run(qc, [submit(1, 0, false), submit(2, 0, false), submit(3, 0, false)]).actions.isEmpty)
    }

    @Test("SET_SKILL reports its constant; rules of several configs fire in config order")
    func order() throws {
        let qc = QualityControl(configs: [
            .init(.answerCount, rules: [.init([Condition(.assignmentsAcceptedCount, .eq, 1)], .setSkill(skillID: "a", skillValue: 10))]),
            .init(.goldenSet(historySize: 2), rules: [.init([Condition(.goldenSetAnswersCount, .ne, 0)], .setSkill(skillID: "b", skillValue: 20))]),
        ])
        let e = try run(qc, [submit(1, 0, true)])
        #expect(e.actions.map(\.config) == [0, 1])
        #expect(e.actions.map(\.skillValue) == [10, 20])
    }

    @Test("operators", arguments: [
        (ComparisonOperator.eq, [false, true, false]), (.ne, [true, false, true]), (.gt, [false, false, true]),
        (.gte, [false, true, true]), (.lt, [true, false, false]), (.lte, [true, true, false]),
    ])
    func operators(_ op: ComparisonOperator, _ expected: [Bool]) {
        #expect([1.0, 2, 3].map { op.holds($0, 2) } == expected)
    }

    @Test("workers beyond the reserved range grow the tables")
    func growth() throws {
        var e = try QualityControlEngine(notebookRule)
        e.process(submit(1, 100_000, false))
        e.process(submit(2, 3, true))
        #expect(e.actions.map(\.worker) == [100_000])
        #expect(e.isRestricted(worker: 100_000, at: 3))
    }
}
