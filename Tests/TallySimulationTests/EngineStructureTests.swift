import Testing
@testable import TallySimulation

@Suite struct EngineStructureTests {
    @Test func taskStateIsOneCacheLine() {
        #expect(MemoryLayout<TaskState>.stride == 64)
        #expect(MemoryLayout<WorkerState>.stride <= 64)
    }

    /// The heap pops by time, ties in push order, under interleaved pushes and pops.
    @Test func eventQueueOrder() {
        var q = EventQueue<Int64>()
        var r = SimulationRandom(seed: 9)
        var model: [(time: Int64, seq: Int)] = []
        var popped: [Int32] = [], expected: [Int32] = []
        var seq = 0, now: Int64 = 0
        for step in 0..<20_000 {
            if r.below(3) > 0 || model.isEmpty {
                let t = now + Int64(r.below(50))
                q.push(t, .request, Int32(seq))
                model.append((t, seq))
                seq += 1
            } else {
                let i = model.indices.min { model[$0].time < model[$1].time || (model[$0].time == model[$1].time && model[$0].seq < model[$1].seq) }!
                expected.append(Int32(model[i].seq))
                model.remove(at: i)
                if step % 7 == 0, let s = q.second { #expect(s.time >= q.first!.time) }
                let e = q.pop()
                popped.append(e.id)
                now = e.time
            }
        }
        #expect(popped == expected)
    }
}
