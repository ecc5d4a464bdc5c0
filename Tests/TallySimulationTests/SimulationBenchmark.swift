import Foundation
import Testing
@testable import TallySimulation

/// Speed: assignments simulated per second with QC on. Runs only with TALLY_SIM_BENCH=1 (use a release build:
/// `TALLY_SIM_BENCH=1 swift test -c release --filter SimulationBenchmark`); it prints the rate and asserts nothing timed.
@Suite struct SimulationBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TALLY_SIM_BENCH"] != nil))
    func assignmentsPerSecond() throws {
        let s = try Scenarios.load("benchmark")
        let start = ContinuousClock.now
        let r = try PoolSimulator.run(s, seed: 1)
        let d = ContinuousClock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        print("benchmark: \(r.assignmentCount) assignments, \(r.actions.count) QC actions, \(r.workerCount) workers in \(seconds) s = \(Int(Double(r.assignmentCount) / seconds)) assignments/s")
        #expect(r.assignmentCount > 100_000)
    }
}
