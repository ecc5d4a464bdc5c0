/// A simulated event of one pool.
struct PoolEvent {
    enum Kind {
        /// A Toloker from the crowd's Poisson stream looks for work (and the next arrival is drawn).
        case arrival(worker: Int32)
        /// A Toloker who just submitted asks for another suite.
        case returning(worker: Int32)
        /// The assignment's Toloker submits it.
        case submit(assignment: Int)
        /// The assignment runs out of `assignment_max_duration_seconds`.
        case expire(assignment: Int)
        /// `auto_close_after_complete_delay_seconds` after the last task was completed.
        case complete
    }

    let time: Double
    let seq: UInt64
    let kind: Kind

    func precedes(_ other: PoolEvent) -> Bool { time < other.time || (time == other.time && seq < other.seq) }
}

/// A binary min-heap of events by time (ties in scheduling order), so a pool replays the same way every time.
struct EventHeap {
    private var items: [PoolEvent] = []
    private var seq: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    var first: PoolEvent? { items.first }

    mutating func push(_ time: Double, _ kind: PoolEvent.Kind) {
        seq += 1
        items.append(PoolEvent(time: time, seq: seq, kind: kind))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[i].precedes(items[p]) else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> PoolEvent? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, items[l].precedes(items[m]) { m = l }
            if r < items.count, items[r].precedes(items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
