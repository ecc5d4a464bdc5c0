import Foundation
import Testing
@testable import TallySimulation

/// Speed: assignments simulated per second with QC on. Runs only with TALLY_SIM_BENCH=1 (use a release build:
/// `TALLY_SIM_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter SimulationBenchmark`); it prints the
/// rate and the process's user CPU time, and asserts nothing timed. `TALLY_SIM_BENCH_TASKS=20000` overrides the
/// scenario's 200,000 general tasks (control tasks scale at 1 %).
///
/// Measured speeds are recorded in `Benchmarks/README.md` ("Pool simulator").
@Suite struct SimulationBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TALLY_SIM_BENCH"] != nil))
    func assignmentsPerSecond() throws {
        var s = try Scenarios.load("benchmark")
        if let n = ProcessInfo.processInfo.environment["TALLY_SIM_BENCH_TASKS"].flatMap({ Int($0) }) {
            s.tasks.count = n
            s.tasks.goldenCount = max(10, n / 100)
        }
        let cpu0 = userCPUSeconds(), sys0 = systemCPUSeconds()
        let start = ContinuousClock.now
        let r = try PoolSimulator.run(s, seed: 1)
        let d = ContinuousClock.now - start
        let cpu = userCPUSeconds() - cpu0, sys = systemCPUSeconds() - sys0
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        print("benchmark: \(s.tasks.count) tasks, \(r.assignmentCount) assignments, \(r.actions.count) QC actions, \(r.workerCount) workers in \(seconds) s (user CPU \(cpu) s, system \(sys) s) = \(Int(Double(r.assignmentCount) / seconds)) assignments/s, \(Int(Double(r.assignmentCount) / cpu)) per CPU second")
        #expect(r.assignmentCount > 1000)
    }

    func userCPUSeconds() -> Double { usage().ru_utime.seconds }
    func systemCPUSeconds() -> Double { usage().ru_stime.seconds }

    func usage() -> rusage {
        var u = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &u)
        #else
        getrusage(RUSAGE_SELF, &u)
        #endif
        return u
    }
}

extension timeval {
    var seconds: Double { Double(tv_sec) + Double(tv_usec) * 1e-6 }
}
