/// A pool's open/closed state — whether it is open, why it last closed, when it last opened and
/// closed — with closing on completion and the rule for the reopening a `CHANGE_OVERLAP(open_pool)`
/// rule asks for. One component for both pool drivers: ``PoolEngine`` (the emulator, seconds as
/// `Double`) and `tally simulate`'s `Simulation` (milliseconds as `Int64`). When each driver checks
/// completion and `will_expire` is still its own (see docs/ARCHITECTURE.md, "A new pool mechanic").
///
///     var pool = PoolLifecycle<Int64>()
///     pool.open(at: 0)
///     pool.closeIfComplete(true, at: 5_000)          // closes COMPLETED
///     pool.mayReopen(at: 6_000, rule: .completedBeforeExpiry(expiry: 10_000))  // true
package struct PoolLifecycle<Time: Comparable> {
    /// Which closed pools a `CHANGE_OVERLAP` rule with `open_pool` reopens (when there is work again).
    package enum ReopenRule: Equatable {
        /// Any closed pool, whatever closed it (the emulator).
        case anyClosed
        /// Only a pool that closed COMPLETED, and only before `expiry` (`tally simulate`).
        case completedBeforeExpiry(expiry: Time)
    }

    /// Whether the pool is open.
    package private(set) var isOpen = false
    /// Why the pool last closed; nil while open and before it first closed.
    package private(set) var closeReason: PoolCloseReason?
    /// When the pool last opened; nil: never.
    package private(set) var lastStarted: Time?
    /// When the pool last closed; nil: never (kept while the pool is open again).
    package private(set) var lastStopped: Time?

    /// A pool that never opened.
    package init() {}

    /// Opens the pool at `t` (clears the close reason).
    package mutating func open(at t: Time) {
        isOpen = true
        lastStarted = t
        closeReason = nil
    }

    /// Closes an open pool at `t` for `reason`; false (and no change) when it is already closed.
    @discardableResult
    package mutating func close(_ reason: PoolCloseReason, at t: Time) -> Bool {
        guard isOpen else { return false }
        isOpen = false
        closeReason = reason
        lastStopped = t
        return true
    }

    /// Closes an open pool COMPLETED at `t` when `complete` holds; returns whether it closed.
    @discardableResult
    package mutating func closeIfComplete(_ complete: Bool, at t: Time) -> Bool {
        guard isOpen, complete else { return false }
        return close(.completed, at: t)
    }

    /// Whether `rule` lets a `CHANGE_OVERLAP(open_pool)` rule reopen the pool at `t` (false while it
    /// is open). The driver checks that there is work again, then calls ``open(at:)``.
    package func mayReopen(at t: Time, rule: ReopenRule) -> Bool {
        guard !isOpen else { return false }
        switch rule {
        case .anyClosed: return true
        case .completedBeforeExpiry(let expiry): return closeReason == .completed && t < expiry
        }
    }
}
