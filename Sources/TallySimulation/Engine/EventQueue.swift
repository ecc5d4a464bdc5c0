/// The event queue of a pool simulation: a 4-ary min-heap of events ordered by time, then by the
/// order they were scheduled (so a run replays the same way every time).
///
/// `tally simulate` keeps time as whole milliseconds (`EventQueue<Int64>`), the Toloka emulator as
/// seconds of its scaled clock (`EventQueue<Double>`).
///
/// One buffer of plain values, owned by one simulation (not copy-on-write: copies of the queue share it,
/// so only one copy may be used), held in the struct itself so that the hot path has no class access
/// to check: pushing and popping allocate nothing once the heap has grown.
package struct EventQueue<Time: Comparable> {
    /// What an event is about.
    package enum Kind: UInt8 {
        /// A worker arrives (`tally simulate`: a new worker; emulator: the Toloker `id`).
        case arrival
        /// Worker `id` asks for a suite.
        case request
        /// Assignment `id` ends as planned (submitted, or skipped or expired in `tally simulate`).
        case finish
        /// Assignment `id` is accepted after the auto-accept period.
        case autoAccept
        /// The pool reaches `will_expire`.
        case poolExpire
        /// Assignment `id` runs out of `assignment_max_duration_seconds` (emulator).
        case expire
        /// The pool closes `auto_close_after_complete_delay_seconds` after its last task was completed (emulator).
        case complete
    }

    package struct Event {
        package var time: Time
        var seq: UInt64
        package var kind: Kind
        package var id: Int32
        /// For `finish`: the assignment's first slot (read only to prefetch).
        package var aux: Int32

        @inline(__always)
        static func < (a: Event, b: Event) -> Bool { a.time < b.time || (a.time == b.time && a.seq < b.seq) }
    }

    /// Frees the buffer when the last copy of the queue goes (its pointer changes only when the heap grows).
    final class Owner {
        var buffer: UnsafeMutablePointer<Event>
        init(_ buffer: UnsafeMutablePointer<Event>) { self.buffer = buffer }
        deinit { buffer.deallocate() }
    }

    private var heap: UnsafeMutablePointer<Event>
    package private(set) var count = 0
    private var capacity = 1024
    private let owner: Owner
    private var seq: UInt64 = 0

    package init() {
        heap = .allocate(capacity: capacity)
        owner = Owner(heap)
    }

    package var isEmpty: Bool { count == 0 }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Event>.allocate(capacity: 2 * capacity)
        bigger.moveInitialize(from: heap, count: count)
        heap.deallocate()
        heap = bigger
        owner.buffer = bigger
        capacity *= 2
    }

    @inline(__always)
    package mutating func push(_ time: Time, _ kind: Kind, _ id: Int32, aux: Int32 = 0) {
        seq &+= 1
        let e = Event(time: time, seq: seq, kind: kind, id: id, aux: aux)
        if count == capacity { grow() }
        let h = heap
        var i = count
        count += 1
        while i > 0 {
            let p = (i - 1) >> 2
            guard e < h[p] else { break }
            (h + i).initialize(to: h[p])
            i = p
        }
        (h + i).initialize(to: e)
    }

    package var peekTime: Time? { count > 0 ? heap[0].time : nil }

    /// The next event.
    package var first: Event? { count > 0 ? heap[0] : nil }

    /// The event after the next one, unless one scheduled meanwhile comes first (a prefetching hint).
    var second: Event? {
        let n = count, h = heap
        guard n >= 2 else { return nil }
        var c = 1
        for j in 2..<min(5, n) where h[j] < h[c] { c = j }
        return h[c]
    }

    /// Removes and returns the next event.
    /// - Precondition: the queue is not empty.
    @inline(__always)
    package mutating func pop() -> Event {
        precondition(count > 0)
        let h = heap
        let top = h[0]
        count -= 1
        let n = count
        if n > 0 {
            let last = h[n]
            var i = 0
            while true {
                let first = 4 &* i &+ 1
                if first >= n { break }
                var c = first
                var j = first &+ 1
                let end = min(first &+ 4, n)
                while j < end {
                    if h[j] < h[c] { c = j }
                    j &+= 1
                }
                guard h[c] < last else { break }
                h[i] = h[c]
                i = c
            }
            h[i] = last
        }
        return top
    }
}
