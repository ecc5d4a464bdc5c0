import Foundation
import Testing
@testable import TallySimulation

/// Speed: assignments simulated per second with QC on. Runs only with TALLY_SIM_BENCH=1 (use a release build:
/// `TALLY_SIM_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter SimulationBenchmark`); it prints the
/// rate and the process's user CPU time, and asserts nothing timed. `TALLY_SIM_BENCH_TASKS=20000` overrides the
/// scenario's 200,000 general tasks (control tasks scale at 1 %).
///
/// Measured (Swift 6.3.1, Linux, 2 shared cores at load average 6–9; median of 3, user CPU alongside
/// because the wall time mostly measures the neighbours):
///
/// | tasks     | assignments | before: wall / user CPU           | after: wall / user CPU            |
/// |-----------|-------------|-----------------------------------|-----------------------------------|
/// | 20,000    | 15,000      | 318,000/s (1 run) / 0.023 s       | 603,000/s / 0.015 s               |
/// | 200,000   | 150,000     | 201,000/s / 0.35–0.43 s           | 634,000/s / 0.12–0.14 s           |
/// | 1,000,000 | 750,000     | 118,000/s (1 run) / 3.1 s         | 575,000/s / 0.70–0.73 s           |
///
/// So ≈ 1.1–1.3 million assignments per user-CPU second at 200,000 tasks (3× less CPU than before);
/// on a quiet core the wall rate matches it (993,000–1,040,000/s was seen at load ≈ 6–7).
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
