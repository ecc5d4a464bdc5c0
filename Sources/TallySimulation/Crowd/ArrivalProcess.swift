import Foundation

/// Arrivals of workers: a Poisson process of `arrivals_per_hour`, modulated by a diurnal cosine
/// λ(t) = rate × (1 + A cos(2π (hour − peak) / 24)) and drawn by thinning (Lewis & Shedler 1979).
///
/// Time is in milliseconds from an epoch given in Unix seconds; the hour is the UTC hour of day.
/// ``PoolSimulator`` uses its scenario's start as the epoch; the Toloka emulator uses 0 (Unix time).
package struct ArrivalProcess: Sendable {
    /// The bound rate of the thinning, arrivals per millisecond.
    let lambdaMax: Double
    let amplitude: Double
    let peakHour: Double
    /// The epoch's second of the day.
    let epochSecondOfDay: Double

    package init(_ crowd: CrowdSettings, epochSeconds: Int64) {
        lambdaMax = crowd.arrivalsPerHour * (1 + crowd.diurnalAmplitude) / 3_600_000
        amplitude = crowd.diurnalAmplitude
        peakHour = crowd.peakHour
        epochSecondOfDay = Double(epochSeconds % 86_400)
    }

    /// The next arrival after `t` (milliseconds from the epoch), not rounded.
    @inline(__always)
    package func next(after t: Double, _ rng: inout SimulationRandom) -> Double {
        var next = t
        while true {
            next += rng.exponential(rate: lambdaMax)
            if amplitude == 0 { break }
            let hour = (epochSecondOfDay + next / 1000).truncatingRemainder(dividingBy: 86_400) / 3600
            let rate = 1 + amplitude * Foundation.cos(2 * Double.pi * (hour - peakHour) / 24)
            if rng.uniform() * (1 + amplitude) < rate { break }
        }
        return next
    }
}
