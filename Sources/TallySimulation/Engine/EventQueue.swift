/// A 4-ary min-heap of simulation events ordered by time, then by the order they were scheduled.
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
        let e = Event(time: time, seq: seq, kind: kind, id: id, aux: aux)
        heap.append(e)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let p = (i - 1) >> 2
                guard e < h[p] else { break }
                h[i] = h[p]
                i = p
            }
            h[i] = e
        }
    }

    var peekTime: Int64? { heap.first?.time }

    /// The next event.
    var first: Event? { heap.first }

    /// The event after the next one, unless one scheduled meanwhile comes first (a prefetching hint).
    var second: Event? {
        let n = heap.count
        guard n >= 2 else { return nil }
        var c = 1
        for j in 2..<min(5, n) where heap[j] < heap[c] { c = j }
        return heap[c]
    }

    @inline(__always)
    mutating func pop() -> Event {
        let top = heap[0]
        let last = heap.removeLast()
        let n = heap.count
        if n > 0 {
            heap.withUnsafeMutableBufferPointer { h in
                var i = 0
                while true {
                    let first = 4 * i + 1
                    if first >= n { break }
                    var c = first
                    var j = first + 1
                    let end = min(first + 4, n)
                    while j < end {
                        if h[j] < h[c] { c = j }
                        j += 1
                    }
                    guard h[c] < last else { break }
                    h[i] = h[c]
                    i = c
                }
                h[i] = last
            }
        }
        return top
    }
}
