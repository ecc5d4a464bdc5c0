import Testing
@testable import TallyQualityControl

@Suite("QualityControl restrictions")
struct RestrictionTests {
    @Test("a 3-DAYS ban: restricted just before +3 days, free at +3 days")
    func expiry() throws {
        let e = try run(notebookRule, [submit(1000, 0, false)])
        let end = 1000 + 3 * day
        #expect(e.actions.first?.restrictionEnd == end)
        #expect(!e.isRestricted(worker: 0, at: 999.9))
        #expect(e.isRestricted(worker: 0, at: 1000))
        #expect(e.isRestricted(worker: 0, at: end.nextDown))
        #expect(!e.isRestricted(worker: 0, at: end))
        #expect(e.restrictionEnd(worker: 0, at: 2000) == end)
        #expect(e.restrictionEnd(worker: 0, at: end) == nil)
    }

    @Test("duration units", arguments: [
        (Restriction.DurationUnit.minutes, 60.0), (.hours, 3600), (.days, 86_400), (.permanent, .infinity),
    ])
    func units(_ unit: Restriction.DurationUnit, _ seconds: Double) throws {
        let e = try run(single(.goldenSet(), [Condition(.goldenSetCorrectAnswersRate, .lt, 50)], ban(2, unit)), [submit(10, 0, false)])
        #expect(e.actions.first?.restrictionEnd == 10 + (unit == .permanent ? .infinity : 2 * seconds))
        #expect(e.isRestricted(worker: 0, at: 1e12) == (unit == .permanent))
    }

    @Test("scopes: a PROJECT ban bars this pool and the project's other pools, not other projects")
    func scopes() throws {
        let project = try run(single(.goldenSet(), [Condition(.goldenSetCorrectAnswersRate, .lt, 50)], ban(1, .days, scope: .project)), [submit(0, 0, false)])
        #expect(project.isRestricted(worker: 0, at: 1, scope: .pool))
        #expect(project.isRestricted(worker: 0, at: 1, scope: .project))
        #expect(!project.isRestricted(worker: 0, at: 1, scope: .allProjects))
        let pool = try run(single(.goldenSet(), [Condition(.goldenSetCorrectAnswersRate, .lt, 50)], ban(1, .days, scope: .pool)), [submit(0, 0, false)])
        #expect(pool.isRestricted(worker: 0, at: 1, scope: .pool))
        #expect(!pool.isRestricted(worker: 0, at: 1, scope: .project))
        let all = try run(single(.goldenSet(), [Condition(.goldenSetCorrectAnswersRate, .lt, 50)], ban(1, .days, scope: .allProjects)), [submit(0, 0, false)])
        #expect(all.isRestricted(worker: 0, at: 1, scope: .allProjects))
        #expect(all.isRestricted(worker: 0, at: 1, scope: .pool))
    }

    @Test("a ban clears the rule's window; the banned worker's events during the ban do not count; counting restarts after")
    func clearedAndPaused() throws {
        var e = try run(notebookRule, [submit(0, 0, true), submit(1, 0, false)])  // 1/2 = 50 % → ban until 3 days
        #expect(e.actions.count == 1)
        #expect(e.window(rule: 0, worker: 0).isEmpty)
        // A suite taken before the ban and submitted during it: ignored by the banning rule, no second ban.
        e.process(submit(100, 0, false))
        #expect(e.actions.count == 1)
        #expect(e.window(rule: 0, worker: 0).isEmpty)
        // After the ban: a fresh window (the earlier wrong answers are gone).
        e.process(submit(1 + 3 * day, 0, true))
        #expect(e.actions.count == 1)
        #expect(e.window(rule: 0, worker: 0) == [1])
        e.process(submit(2 + 3 * day, 0, false))  // 1/2 → banned again
        #expect(e.actions.count == 2)
        #expect(e.actions[1].restrictionEnd == 2 + 6 * day)
    }

    @Test("only the triggering rule's history is cleared; another rule keeps counting and may ban during the first ban")
    func otherRulesIndependent() throws {
        let qc = QualityControl(configs: [
            .init(.goldenSet(historySize: 10), rules: [
                .init([Condition(.goldenSetCorrectAnswersRate, .lte, 50)], ban(1, .days)),
                .init([Condition(.goldenSetIncorrectAnswersRate, .gte, 100), Condition(.goldenSetAnswersCount, .gte, 2)], ban(7, .days, scope: .project)),
            ]),
        ])
        var e = try run(qc, [submit(0, 0, false)])  // rule 0 bans (0 %); rule 1 needs 2 answers
        #expect(e.actions.map(\.rule) == [0])
        #expect(e.window(rule: 1, worker: 0) == [0])
        e.process(submit(10, 0, false))  // rule 0 paused; rule 1: 2 wrong → bans
        #expect(e.actions.map(\.rule) == [0, 1])
        #expect(e.restrictionEnd(worker: 0, at: 20, scope: .pool) == 10 + 7 * day)
        #expect(e.restrictionEnd(worker: 0, at: 20, scope: .project) == 10 + 7 * day)
    }

    @Test("non-restricting actions fire again every time the statistic changes while the conditions hold")
    func refire() throws {
        let qc = single(.goldenSet(historySize: 10), [Condition(.goldenSetAnswersCount, .gte, 3)], .setSkillFromOutputField(skillID: "s", fromField: .goldenSetCorrectAnswersRate))
        let e = try run(qc, [submit(1, 0, true), submit(2, 0, true), submit(3, 0, false), submit(4, 0, true)])
        #expect(e.actions.map(\.time) == [3, 4])
        #expect(e.actions.map(\.skillValue) == [200.0 / 3, 75])
        #expect(!e.isRestricted(worker: 0, at: 5))
    }

    @Test("overlapping restrictions of one scope extend to the latest end")
    func overlapping() throws {
        let qc = QualityControl(configs: [
            .init(.goldenSet(), rules: [.init([Condition(.goldenSetCorrectAnswersRate, .lt, 50)], ban(2, .hours))]),
            .init(.assignmentSubmitTime(fastSubmitThresholdSeconds: 10), rules: [.init([Condition(.fastSubmittedCount, .gte, 1)], ban(1, .hours))]),
        ])
        let e = try run(qc, [submit(0, 0, duration: 5, false)])
        #expect(e.actions.map(\.restrictionEnd) == [7200, 3600])
        #expect(e.restrictionEnd(worker: 0, at: 1) == 7200)
    }
}
