/// A 4-ary min-heap of simulation events ordered by time, then by the order they were scheduled.
///
/// One buffer of plain values, owned by one simulation (not copy-on-write: copies of the queue share it,
/// so only one copy may be used), held in the struct itself so that the hot path has no class access
/// to check: pushing and popping allocate nothing once the heap has grown.
struct EventQueue {
    /// What an event is about.
    enum Kind: UInt8 {
        case arrival, request, finish, autoAccept, poolExpire
    }

    struct Event {
        var time: Int64
        var seq: UInt64
        var kind: Kind
        var id: Int32
        /// For `finish`: the assignment's first slot (read only to prefetch).
        var aux: Int32

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
    private(set) var count = 0
    private var capacity = 1024
    private let owner: Owner
    private var seq: UInt64 = 0

    init() {
        heap = .allocate(capacity: capacity)
        owner = Owner(heap)
    }

    var isEmpty: Bool { count == 0 }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Event>.allocate(capacity: 2 * capacity)
        bigger.moveInitialize(from: heap, count: count)
        heap.deallocate()
        heap = bigger
        owner.buffer = bigger
        capacity *= 2
    }

    @inline(__always)
    mutating func push(_ time: Int64, _ kind: Kind, _ id: Int32, aux: Int32 = 0) {
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

    var peekTime: Int64? { count > 0 ? heap[0].time : nil }

    /// The next event.
    var first: Event? { count > 0 ? heap[0] : nil }

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
    mutating func pop() -> Event {
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
