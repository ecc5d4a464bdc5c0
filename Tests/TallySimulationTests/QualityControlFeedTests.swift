import Testing
import TallyQualityControl
@testable import TallySimulation

/// ``QualityControlFeed``, the quality-control component both drivers of the pool mechanics hold:
/// actions carried out in the order taken, rule reviews fed back per reviewed suite only with
/// `feedsRuleReviews`, majority events one per answer.
@Suite struct QualityControlFeedTests {
    /// A control answer wrong: REJECT_ALL_ASSIGNMENTS; three assignments seen by ACCEPTANCE_RATE: a skill.
    static let rules = QualityControl(configs: [
        QualityControl.Config(.goldenSet(historySize: 5), rules: [.init([Condition(.goldenSetIncorrectAnswersRate, .gt, 0)], .rejectAllAssignments(publicComment: "wrong"))]),
        QualityControl.Config(.acceptanceRate(historySize: 5), rules: [.init([Condition(.totalAssignmentsCount, .gte, 3)], .setSkill(skillID: "r", skillValue: 1))]),
    ])

    /// The driver reviews three suites: fed back, the three rejections make the acceptance rule act
    /// (carried out in the same call); not fed back, they do not.
    @Test(arguments: [false, true]) func ruleReviewsFedBackPerSuite(feeds: Bool) throws {
        var feed = QualityControlFeed(try QualityControlEngine(Self.rules), feedsRuleReviews: feeds)
        var control = AnswerOutcomes()
        control.append(false)
        feed.process(AssignmentEvent(time: 5, worker: 2, .submitted(Submission(duration: 10, control: control))))
        #expect(feed.hasPendingActions)
        var seen: [String] = []
        feed.carryOutActions { effect in
            switch effect {
            case .perform(let action):
                seen.append("perform \(action.worker) at \(action.time)")
                return 0
            case .review(let worker, let status, let time, let comment):
                seen.append("review \(worker) \(status.apiName) at \(time) \(comment ?? "-")")
                return 3
            }
        }
        #expect(seen == ["review 2 REJECTED at 5.0 wrong"] + (feeds ? ["perform 2 at 5.0"] : []))
        #expect(!feed.hasPendingActions)
        #expect(feed.engine.actions.count == (feeds ? 2 : 1))
    }

    /// One majority event per answer, in the order given, each followed by the actions it caused.
    @Test func majorityEventsPerAnswer() throws {
        let rules = QualityControl(configs: [
            QualityControl.Config(.majorityVote(answerThreshold: 2, historySize: 5),
                                  rules: [.init([Condition(.incorrectAnswersRate, .gt, 50)], .setSkill(skillID: "m", skillValue: 1))]),
        ])
        var feed = QualityControlFeed(try QualityControlEngine(rules), feedsRuleReviews: false)
        var performed: [Int32] = []
        // Labels 1, 1, 0 (indices into counts [1, 2]): the third Toloker disagrees.
        feed.resolveMajority(task: 0, at: 7, answers: [(4, 1), (5, 1), (6, 0)], counts: [1, 2]) { effect in
            if case .perform(let action) = effect { performed.append(action.worker) }
            return 0
        }
        #expect(performed == [6])
    }
}
