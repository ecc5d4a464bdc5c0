/// The simulated clock: `speed` simulated seconds per real second from the moment the emulator starts,
/// on the Unix time scale (so timestamps look like today's). In instant mode the clock is real time,
/// and pools are simulated 30 days ahead of it. With a `lag` the clock reads that many seconds
/// behind: `--backdate 31` with `--speed instant` puts a pool's simulated month in the client's
/// past, so streaming cursors that read only up to "now − 1 min" (toloka-kit 1.x) see it.
struct EmulatorClock: Sendable {
    let speed: Double?
    /// Seconds the clock reads behind `start + elapsed × speed` (``EmulatorConfiguration/clockLag``).
    var lag: Double = 0
    let source: @Sendable () -> Double
    var start: Double
    /// While a request is answered (live or replayed from the journal): the instant it arrived.
    var override: Double?

    init(speed: Double?, lag: Double = 0, realNow: @escaping @Sendable () -> Double) {
        self.speed = speed
        self.lag = lag
        source = realNow
        start = realNow()
    }

    func realNow() -> Double { override ?? source() }

    func now() -> Double { start + (realNow() - start) * (speed ?? 1) - lag }

    /// How far the pools' simulation runs now.
    func simulationTarget() -> Double { speed == nil ? now() + 30 * 86400 : now() }
}
