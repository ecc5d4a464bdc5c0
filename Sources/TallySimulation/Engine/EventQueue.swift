/// A binary min-heap of simulation events ordered by time, then by the order they were scheduled.
///
/// Flat arrays of plain values: pushing and popping allocate nothing once the heap has grown.
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

    private(set) var heap: [Event] = []
    private var seq: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }

    @inline(__always)
    mutating func push(_ time: Int64, _ kind: Kind, _ id: Int32, aux: Int32 = 0) {
        seq &+= 1
        heap.append(Event(time: time, seq: seq, kind: kind, id: id, aux: aux))
        var i = heap.count - 1
        let e = heap[i]
        while i > 0 {
            let p = (i - 1) >> 1
            guard e < heap[p] else { break }
            heap[i] = heap[p]
            i = p
        }
        heap[i] = e
    }

    var peekTime: Int64? { heap.first?.time }

    /// The next event.
    var first: Event? { heap.first }

    /// The event after the next one, unless one scheduled meanwhile comes first (a prefetching hint).
    var second: Event? {
        let n = heap.count
        if n >= 3 { return heap[2] < heap[1] ? heap[2] : heap[1] }
        return n == 2 ? heap[1] : nil
    }

    @inline(__always)
    mutating func pop() -> Event {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                if l + 1 < n, heap[l + 1] < heap[l] { c = l + 1 }
                guard heap[c] < last else { break }
                heap[i] = heap[c]
                i = c
            }
            heap[i] = last
        }
        return top
    }
}
