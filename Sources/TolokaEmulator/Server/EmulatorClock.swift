/// The simulated clock: `speed` simulated seconds per real second from the moment the emulator starts,
/// on the Unix time scale (so timestamps look like today's). In instant mode the clock is real time,
/// and pools are simulated 30 days ahead of it.
struct EmulatorClock: Sendable {
    let speed: Double?
    let source: @Sendable () -> Double
    var start: Double
    /// While a request is answered (live or replayed from the journal): the instant it arrived.
    var override: Double?

    init(speed: Double?, realNow: @escaping @Sendable () -> Double) {
        self.speed = speed
        source = realNow
        start = realNow()
    }

    func realNow() -> Double { override ?? source() }

    func now() -> Double { start + (realNow() - start) * (speed ?? 1) }

    /// How far the pools' simulation runs now.
    func simulationTarget() -> Double { speed == nil ? now() + 30 * 86400 : now() }
}
