import TallyQualityControl

/// A pool's quality control as the pool mechanics drive it: the rules' engine, fed every assignment
/// event in time order, and the actions it takes, carried out in the order taken. One component for
/// both drivers of the mechanics: ``PoolEngine`` (the emulator's pools) and `Simulation`
/// (`tally simulate`) hold one each.
///
/// What an action does to the pool's records is the driver's (``Effect``); which actions reach the
/// records, the order they are carried out in, and what is fed back are decided here:
/// * restrictions and skills go to the driver as ``Effect/perform(_:)``;
/// * `APPROVE_ALL_ASSIGNMENTS` / `REJECT_ALL_ASSIGNMENTS` review the Toloker's SUBMITTED suites
///   (``Effect/review(worker:to:at:comment:)``), and with ``feedsRuleReviews`` each reviewed suite is
///   fed back as an acceptance or rejection at the action's time;
/// * `CHANGE_OVERLAP` (recompletion) is the driver's to read from the rules: it acts on a restriction.
///
///     var feed = QualityControlFeed(try QualityControlEngine(rules), feedsRuleReviews: true)
///     feed.process(AssignmentEvent(time: t, worker: w, .expired))
///     feed.carryOutActions { effect in
///         switch effect {
///         case .perform(let action): restrict(action.worker); return 0
///         case .review(let w, let status, _, _): return reviewSubmittedSuites(of: w, to: status)
///         }
///     }
package struct QualityControlFeed: Sendable {
    /// What carrying out one action asks of the driver.
    package enum Effect {
        /// A restriction or a skill: an action that reaches beyond the pool's assignments.
        case perform(QualityControlAction)
        /// Every SUBMITTED suite of `worker` becomes `status` (ACCEPTED or REJECTED) at `time`, with
        /// the rule's rejection `comment`; the driver answers how many suites it reviewed.
        case review(worker: Int32, to: AssignmentStatus, at: Double, comment: String?)
    }

    /// The pool's rules and their state.
    package internal(set) var engine: QualityControlEngine
    /// Whether suites reviewed by a rule are fed back to quality control as acceptances and
    /// rejections (``PoolEngine/Policy/feedsRuleReviews``).
    package let feedsRuleReviews: Bool
    /// Actions of ``engine`` carried out so far.
    var actionsDone = 0

    /// A feed into `engine`.
    package init(_ engine: QualityControlEngine, feedsRuleReviews: Bool) {
        self.engine = engine
        self.feedsRuleReviews = feedsRuleReviews
    }

    /// Whether the rules took actions not carried out yet.
    @inline(__always)
    package var hasPendingActions: Bool { actionsDone < engine.actions.count }

    /// Feeds one event to the rules (their actions wait for ``carryOutActions(_:)``).
    @inline(__always)
    package mutating func process(_ event: AssignmentEvent) { engine.process(event) }

    /// Carries out, in order, the actions the rules took since the last call, and those that the
    /// fed-back reviews make them take.
    package mutating func carryOutActions(_ effect: (Effect) -> Int) {
        while actionsDone < engine.actions.count {
            let action = engine.actions[actionsDone]
            actionsDone += 1
            switch action.action {
            case .restriction, .legacyRestriction, .setSkill, .setSkillFromOutputField:
                _ = effect(.perform(action))
            case .approveAllAssignments, .rejectAllAssignments:
                // A SUBMITTED suite has no comment yet: a rejection without one leaves it without.
                var comment: String?, status = AssignmentStatus.accepted
                if case .rejectAllAssignments(let c) = action.action { (comment, status) = (c, .rejected) }
                let reviewed = effect(.review(worker: action.worker, to: status, at: action.time, comment: comment))
                if feedsRuleReviews {
                    for _ in 0..<reviewed {
                        engine.process(AssignmentEvent(time: action.time, worker: action.worker, status == .accepted ? .accepted : .rejected))
                    }
                }
            case .changeOverlap:
                break  // read by the driver from the rules, and done on a restriction
            }
        }
    }

    /// Quality control's majority events for general task `task`, which has just reached its final
    /// overlap: one per answer, in `answers`' order (each answer's Toloker and its label as an index
    /// into `counts`, the answers per label), each followed by the actions it made the rules take.
    package mutating func resolveMajority(task: Int32, at time: Double, answers: [(worker: Int32, label: Int32)], counts: [Int32],
                                          _ effect: (Effect) -> Int) {
        let majority = MajorityOutcome(counts: counts)
        for (w, label) in answers {
            engine.process(AssignmentEvent(time: time, worker: w, .majorityResolved(task: task, agreed: majority.agrees(Int(label)), majoritySize: majority.size)))
            carryOutActions(effect)
        }
    }

    /// Runs `body` with `owner`'s feed (at `feed`) lent out of it, so that carrying out the feed's
    /// actions may change `owner` (a feed with no rules stands in meanwhile).
    @inline(__always)
    static func lend<Owner>(from owner: inout Owner, _ feed: WritableKeyPath<Owner, QualityControlFeed>,
                            _ body: (inout QualityControlFeed, inout Owner) -> Void) {
        var lent = placeholder
        swap(&lent, &owner[keyPath: feed])
        body(&lent, &owner)
        swap(&lent, &owner[keyPath: feed])
    }

    /// The stand-in of ``lend(from:_:_:)``.
    static let placeholder = QualityControlFeed(try! QualityControlEngine(QualityControl(configs: [])), feedsRuleReviews: false)
}
