/// The majority among a task's answers, as both pool engines feed it to quality control
/// (`majorityResolved` events of a `MAJORITY_VOTE` collector): the label with the most answers when
/// no other label has as many.
package struct MajorityOutcome: Equatable {
    /// Index of the leading label, or nil on a tie (or without answers).
    package var leader: Int?
    /// Answers for the leading label; 0 on a tie.
    package var size: Int32

    /// The majority among `counts` (answers per label).
    @inline(__always)
    package init<C: RandomAccessCollection>(counts: C) where C.Element == Int32, C.Index == Int {
        var best: Int32 = 0, leader = -1, tie = false
        for z in counts.indices {
            let c = counts[z]
            if c > best { best = c; leader = z; tie = false } else if c == best, best > 0 { tie = true }
        }
        self.leader = tie || leader < 0 ? nil : leader
        size = tie ? 0 : best
    }

    /// Whether an answer of label `label` agrees with the majority.
    @inline(__always)
    package func agrees(_ label: Int) -> Bool { leader == label }
}
