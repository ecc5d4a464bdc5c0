import Testing
import TallyQualityControl
@testable import TallySimulation

/// ``PoolLifecycle``: the open/closed state both pool drivers hold, and its reopening rules.
@Suite struct PoolLifecycleTests {
    @Test func openCloseAndCompletion() {
        var pool = PoolLifecycle<Int64>()
        #expect(!pool.isOpen && pool.closeReason == nil && pool.lastStarted == nil)
        pool.open(at: 0)
        #expect(pool.isOpen && pool.lastStarted == 0)
        let notYet = pool.closeIfComplete(false, at: 10)
        #expect(!notYet && pool.isOpen)
        let closed = pool.closeIfComplete(true, at: 20)
        #expect(closed)
        #expect(!pool.isOpen && pool.closeReason == .completed && pool.lastStopped == 20)
        // A closed pool does not close again: the first reason and time stay.
        let closedAgain = pool.close(.expired, at: 30)
        #expect(!closedAgain)
        #expect(pool.closeReason == .completed && pool.lastStopped == 20)
        pool.open(at: 40)
        #expect(pool.isOpen && pool.closeReason == nil && pool.lastStarted == 40 && pool.lastStopped == 20)
    }

    /// `.anyClosed` reopens whatever closed the pool; `.completedBeforeExpiry` only a COMPLETED pool before its expiry.
    @Test(arguments: [PoolCloseReason.completed, .expired, .manual]) func reopenRules(reason: PoolCloseReason) {
        var pool = PoolLifecycle<Double>()
        pool.open(at: 0)
        #expect(!pool.mayReopen(at: 1, rule: .anyClosed))  // open: nothing to reopen
        pool.close(reason, at: 5)
        #expect(pool.mayReopen(at: 6, rule: .anyClosed))
        #expect(pool.mayReopen(at: 6, rule: .completedBeforeExpiry(expiry: 100)) == (reason == .completed))
        #expect(!pool.mayReopen(at: 100, rule: .completedBeforeExpiry(expiry: 100)))
    }

    /// `CHANGE_OVERLAP` rules read once: after a rejection (only `assessment_event == REJECT`) and after a restriction.
    @Test func overlapChangeRules() {
        let reject = Condition(.assessmentEvent, .eq, .string("REJECT"))
        let qc = QualityControl(configs: [
            QualityControl.Config(Collector(.assignmentsAssessment), rules: [
                .init([reject], .changeOverlap(delta: 1, openPool: false)),
                .init([reject], .changeOverlap(delta: 2, openPool: true)),
                .init([reject, Condition(.rejectedAssignmentsCount, .gte, 2)], .changeOverlap(delta: 5, openPool: false)),  // other conditions: not carried out
            ]),
            QualityControl.Config(Collector(.usersAssessment), rules: [
                .init([Condition(.poolAccessRevokedReason, .eq, .string("RESTRICTION"))], .changeOverlap(delta: 3, openPool: false)),
                .init([Condition(.poolAccessRevokedReason, .eq, .string("SKILL_CHANGE"))], .changeOverlap(delta: 7, openPool: true)),
            ]),
        ])
        #expect(OverlapChangeRules.onRejection(qc).map { [$0.delta] } == [3])
        #expect(OverlapChangeRules.onRejection(qc)?.openPool == true)
        #expect(OverlapChangeRules.onRestriction(qc).map { [$0.delta] } == [3])
        #expect(OverlapChangeRules.onRestriction(qc)?.openPool == false)
        #expect(OverlapChangeRules.onRejection(QualityControl(configs: [])) == nil)
    }
}
