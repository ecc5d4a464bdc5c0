import Foundation
import Testing
@testable import TallySimulation

/// Pins the bytes of every output file for fixed scenarios and seeds, so that speed work on the
/// simulator cannot change its results. The digests were taken before the simulator's hot path was
/// reworked (commit "pin output digests"); a deliberate change of the model must update them.
///
/// Set `TALLY_SIM_PRINT_DIGESTS=1` to print the current digests.
@Suite struct OutputDigestTests {
    /// FNV-1a, 64-bit, over each file's name, length and bytes, in `files()` order.
    static func digest(_ r: SimulationResult) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func eat(_ bytes: some Sequence<UInt8>) { for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 } }
        for f in r.files() {
            eat(f.name.utf8)
            eat(String(f.bytes.count).utf8)
            eat(f.bytes)
        }
        return String(h, radix: 16)
    }

    /// Paths the shipped scenarios leave out: creation-order mixing without shuffling, manual review,
    /// training tasks, discrete difficulty with adversarial and colluding workers, several labels.
    static func variant() -> Scenario {
        var s = Scenarios.simple(tasks: 600, overlap: 4, real: 3, golden: 1, goldenCount: 30,
                                 types: [WorkerType(share: 0.5, .oneCoin(accuracy: .fixed(0.85))),
                                         WorkerType(share: 0.2, .adversarial(strength: .fixed(0.7))),
                                         WorkerType(share: 0.2, .colluding(groupSize: 3, accuracy: .fixed(0.6))),
                                         WorkerType(share: 0.1, .fixedAnswer(label: nil))],
                                 arrivals: 90)
        s.labels = ["x", "y", "z"]
        s.tasks.trainingCount = 10
        s.tasks.difficulty = .discrete(easy: 0.2, hard: 0.7, impossible: 0.1)
        s.pool.mixer.trainingTasksCount = 1
        s.pool.mixer.mixTasksInCreationOrder = true
        s.pool.mixer.shuffleTasksInTaskSuite = false
        s.pool.autoAccept = false
        s.pool.autoAcceptPeriodDays = 1
        s.crowd.skipProbability = 0.05
        return s
    }

    static let pinned: [(name: String, seed: UInt64, digest: String)] = [
        ("audio-gender", 1, "1cf898b6b20e977e"),
        ("fast-responses", 1, "cca16be98469a63e"),
        ("mixed-crowd", 1, "72b7fedd5a3a5e35"),
        ("dynamic-overlap", 1, "e29aca2351e488b3"),
        ("benchmark-5000", 1, "e4eb02927f0b7eb9"),
        ("variant", 1, "a11316a6e284000d"),
        ("variant", 2, "f795e41fdf75108d"),
    ]

    static func scenario(_ name: String) throws -> Scenario {
        switch name {
        case "variant": return variant()
        case "benchmark-5000":
            var s = try Scenarios.load("benchmark")
            s.tasks.count = 5000
            s.tasks.goldenCount = 200
            return s
        default: return try Scenarios.load(name)
        }
    }

    @Test func outputsAreByteIdenticalToThePinnedDigests() throws {
        var current: [String] = []
        for p in Self.pinned {
            let d = Self.digest(try PoolSimulator.run(try Self.scenario(p.name), seed: p.seed))
            current.append("(\"\(p.name)\", \(p.seed), \"\(d)\"),")
            #expect(d == p.digest, "\(p.name) seed \(p.seed): outputs changed")
        }
        if ProcessInfo.processInfo.environment["TALLY_SIM_PRINT_DIGESTS"] != nil { print(current.joined(separator: "\n")) }
    }
}
