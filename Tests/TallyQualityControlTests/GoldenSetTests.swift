import Testing
@testable import TallyQualityControl

@Suite("QualityControl GOLDEN_SET")
struct GoldenSetTests {
    @Test("notebook rule: a wrong first control answer bans at once")
    func wrongFirstAnswer() throws {
        let e = try run(notebookRule, [submit(100, 7, false)])
        let a = try #require(e.actions.first)
        #expect(e.actions.count == 1)
        #expect((a.time, a.worker, a.config, a.rule) == (100, 7, 0, 0))
        #expect(a.rulePath == "configs[0].rules[0]")
        #expect(a.value(.goldenSetCorrectAnswersRate) == 0)
        #expect(a.value(.goldenSetAnswersCount) == 1)
        #expect(a.restrictionEnd == 100 + 3 * day)
    }

    @Test("ties at the threshold: exactly 80 % fires with LTE 80, not with LT 80")
    func ties() throws {
        // 4 right then 1 wrong: 4/5 = 80 %.
        let events = [submit(1, 0, true), submit(2, 0, true), submit(3, 0, true), submit(4, 0, true), submit(5, 0, false)]
        let lte = try run(notebookRule, events)
        #expect(lte.actions.map(\.time) == [5])
        #expect(lte.actions.first?.value(.goldenSetCorrectAnswersRate) == 80)
        let lt = single(.goldenSet(historySize: 10), [Condition(.goldenSetCorrectAnswersRate, .lt, 80), Condition(.goldenSetAnswersCount, .gte, 1)])
        #expect(try run(lt, events).actions.isEmpty)
    }

    @Test("a full window of 10 bans at 2 wrong answers, not at 1 (spec §9)")
    func fullWindow() throws {
        var events = (0..<9).map { submit(Double($0), 0, true) }
        events.append(submit(9, 0, false))  // 9/10 = 90 %
        #expect(try run(notebookRule, events).actions.isEmpty)
        events.append(submit(10, 0, false))  // window 2…11: 8/10 = 80 %
        let e = try run(notebookRule, events)
        #expect(e.actions.map(\.time) == [10])
        #expect(e.actions[0].value(.goldenSetAnswersCount) == 10)
    }

    @Test("the 11th control answer drops the 1st from the window")
    func windowSlides() throws {
        // Rule: ban at ≥ 2 wrong in the last 3 (incorrect rate ≥ 60 with ≥ 3 answers).
        let qc = single(.goldenSet(historySize: 3), [Condition(.goldenSetIncorrectAnswersRate, .gte, 60), Condition(.goldenSetAnswersCount, .gte, 3)])
        // wrong, right, right, wrong: the last three hold one wrong answer only.
        let events = [submit(1, 0, false), submit(2, 0, true), submit(3, 0, true), submit(4, 0, false)]
        var e = try run(qc, events)
        #expect(e.actions.isEmpty)
        #expect(e.window(rule: 0, worker: 0) == [1, 1, 0])
        e.process(submit(5, 0, false))  // right, wrong, wrong
        #expect(e.actions.map(\.time) == [5])
    }

    @Test("`>= 3` answers: no rule check passes before the third control answer")
    func minimumCount() throws {
        let qc = single(.goldenSet(historySize: 10), [Condition(.goldenSetCorrectAnswersRate, .lt, 60), Condition(.goldenSetAnswersCount, .gte, 3)])
        var e = try run(qc, [submit(1, 0, false), submit(2, 0, false)])
        #expect(e.actions.isEmpty)
        e.process(submit(3, 0, true))  // 1/3 = 33 %
        #expect(e.actions.count == 1)
    }

    @Test("without history_size every control answer in the pool counts")
    func unbounded() throws {
        let qc = single(.goldenSet(), [Condition(.goldenSetIncorrectAnswersRate, .gte, 50), Condition(.goldenSetAnswersCount, .gte, 20)])
        var events = (0..<10).map { submit(Double($0), 0, false) }
        events += (10..<20).map { submit(Double($0), 0, true) }
        let e = try run(qc, events)
        #expect(e.actions.map(\.time) == [19])
        #expect(e.actions[0].value(.goldenSetAnswersCount) == 20)
    }

    @Test("a suite with several control answers is checked once, after all of them")
    func severalPerSuite() throws {
        // right, wrong, right in one suite: checked once at 2/3 = 66.7 %, so LTE 50 does not fire
        // even though the window was at 1/2 = 50 % midway.
        let qc = single(.goldenSet(historySize: 10), [Condition(.goldenSetCorrectAnswersRate, .lte, 50)])
        let e = try run(qc, [submit(1, 0, true, false, true)])
        #expect(e.actions.isEmpty)
        #expect(e.window(rule: 0, worker: 0) == [1, 0, 1])
        // AnswerOutcomes(total:correct:) puts the right answers first.
        let suite = AnswerOutcomes(total: 5, correct: 3)
        #expect((0..<5).map { suite[$0] } == [true, true, true, false, false])
        #expect(suite.correctCount == 3)
    }

    @Test("suites without control answers do not check the rule")
    func noControl() throws {
        let qc = single(.goldenSet(historySize: 10), [Condition(.goldenSetAnswersCount, .eq, 0)], .setSkill(skillID: "1", skillValue: 5))
        #expect(try run(qc, [submit(1, 0)]).actions.isEmpty)
    }

    @Test("training answers count for total/correct keys, not golden_set_* ones; an empty rate never holds")
    func training() throws {
        let all = single(.goldenSet(historySize: 10), [Condition(.correctAnswersRate, .lt, 50), Condition(.totalAnswersCount, .gte, 2)])
        let goldenOnly = single(.goldenSet(historySize: 10), [Condition(.goldenSetCorrectAnswersRate, .lt, 50)])
        let event = AssignmentEvent.submitted(time: 1, worker: 0, control: AnswerOutcomes(), training: AnswerOutcomes([false, false]))
        #expect(try run(all, [event]).actions.count == 1)
        #expect(try run(goldenOnly, [event]).actions.isEmpty)  // no control answers: the rate is undefined
        let mixed = AssignmentEvent.submitted(time: 1, worker: 0, control: AnswerOutcomes([true]), training: AnswerOutcomes([false, false]))
        let skill = single(.goldenSet(historySize: 10), [Condition(.correctAnswersRate, .lt, 50), Condition(.totalAnswersCount, .gte, 2)], .setSkill(skillID: "s", skillValue: 0))
        let e = try run(skill, [mixed])
        #expect(e.actions.first?.value(.correctAnswersRate).map { abs($0 - 100.0 / 3) < 1e-9 } == true)
        #expect(e.window(rule: 0, worker: 0) == [1, 2, 2])
    }

    @Test("workers are independent")
    func workers() throws {
        let e = try run(notebookRule, [submit(1, 0, true), submit(2, 1, false), submit(3, 0, true), submit(4, 2, true)])
        #expect(e.actions.map(\.worker) == [1])
        #expect(!e.isRestricted(worker: 0, at: 5))
        #expect(e.isRestricted(worker: 1, at: 5))
        #expect(!e.isRestricted(worker: 99, at: 5))
    }
}
