import TallyQualityControl

/// A pool's `CHANGE_OVERLAP` rules, read in one place for both pool drivers: the overlap a
/// rejection adds (``PoolEngine``'s reassessment, `ASSIGNMENTS_ASSESSMENT`) and the overlap a
/// restriction adds (`tally simulate`'s recompletion, `USERS_ASSESSMENT`). Deltas of several
/// matching rules are summed; any `open_pool` reopens.
///
///     let qc = QualityControl(configs: [QualityControl.Config(Collector(.assignmentsAssessment), rules: [
///         .init([Condition(.assessmentEvent, .eq, .string("REJECT"))], .changeOverlap(delta: 1, openPool: true))])])
///     OverlapChangeRules.onRejection(qc)   // (delta: 1, openPool: true)
package enum OverlapChangeRules {
    /// `ASSIGNMENTS_ASSESSMENT` collectors whose rule's conditions are only `assessment_event == REJECT`
    /// and whose action is `CHANGE_OVERLAP`; nil: none. *Choice*: a rule with other conditions
    /// (pending/accepted/rejected counts) is not carried out.
    package static func onRejection(_ qc: QualityControl) -> (delta: Int, openPool: Bool)? {
        var found: (delta: Int, openPool: Bool)?
        for c in qc.configs where c.collector.kind == .assignmentsAssessment {
            for r in c.rules {
                guard case .changeOverlap(let delta, let open) = r.action, !r.conditions.isEmpty,
                      r.conditions.allSatisfy({ $0.key == .assessmentEvent && $0.value == .string("REJECT") }) else { continue }
                found = (delta + (found?.delta ?? 0), open || (found?.openPool ?? false))
            }
        }
        return found
    }

    /// `USERS_ASSESSMENT` collectors whose action is `CHANGE_OVERLAP` and whose
    /// `pool_access_revoked_reason` conditions (if any) ask for `RESTRICTION`; nil: none.
    package static func onRestriction(_ qc: QualityControl) -> (delta: Int, openPool: Bool)? {
        var found: (delta: Int, openPool: Bool)?
        for c in qc.configs where c.collector.kind == .usersAssessment {
            for r in c.rules {
                guard case .changeOverlap(let delta, let open) = r.action,
                      r.conditions.allSatisfy({ $0.key != .poolAccessRevokedReason || $0.value == .string("RESTRICTION") }) else { continue }
                found = (delta + (found?.delta ?? 0), open || (found?.openPool ?? false))
            }
        }
        return found
    }
}
