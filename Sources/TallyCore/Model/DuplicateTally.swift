/// Counts repeated (task, worker) pairs while answers are read task by task: the one home of the
/// duplicate-tracking step of the task-sorted readers (``ArrowGroupedReader``'s pass and
/// ``SortedRowsPart``) and of the parallel delimited reader's count by task halves
/// (``DuplicateReport``), which all call ``note(task:worker:)`` once per answer in their hot loop.
///
/// Per worker it keeps the last task it answered (plus one; 0 = none yet) and how many times it
/// answered that task, side by side in one buffer so that one answer touches one cache line.
/// Answers must come grouped by task (every answer of a task before the next task's); a range of
/// answers that starts at a task's first answer is counted right on its own, so ranges counted
/// separately add up (``Found``: pairs and extra answers add, repeated workers by union, the first
/// range's example).
///
/// Use it inside ``counting(workers:_:)``, which owns the buffer.
struct DuplicateTally {
    /// What a tally found.
    struct Found {
        /// Distinct (task, worker) pairs seen more than once.
        var pairs = 0
        /// Answers beyond the first on those pairs.
        var extra = 0
        /// The first repeated pair met (ids).
        var example: (task: Int32, worker: Int32)?
        /// Ids of the workers who answered some task more than once.
        var repeated = Set<Int32>()
    }

    /// What the answers noted so far hold.
    private(set) var found = Found()
    /// `2 * worker`: the worker's last task + 1; `2 * worker + 1`: its answers to that task.
    private let marks: UnsafeMutablePointer<Int32>
    /// The number of worker ids the buffer holds.
    private let workers: Int

    private init(marks: UnsafeMutablePointer<Int32>, workers: Int) { (self.marks, self.workers) = (marks, workers) }

    /// Runs `body` with a tally for worker ids below `workers`, then frees its buffer.
    static func counting<R>(workers: Int, _ body: (inout DuplicateTally) throws -> R) rethrows -> R {
        let marks = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * max(workers, 1))
        marks.initialize(repeating: 0, count: 2 * max(workers, 1))
        defer { marks.deallocate() }
        var tally = DuplicateTally(marks: marks, workers: workers)
        return try body(&tally)
    }

    /// Notes one answer of worker `w` (below the tally's `workers`) to task `t` (≥ 0).
    @inline(__always)
    mutating func note(task t: Int32, worker w: Int32) {
        assert(w >= 0 && Int(w) < workers, "DuplicateTally: worker id \(w) outside 0..<\(workers)")
        let slot = marks + 2 * Int(w)
        let mark = t &+ 1
        if slot.pointee == mark {
            noteRepeat(task: t, worker: w, count: slot + 1)
        } else {
            slot.pointee = mark
            slot[1] = 1
        }
    }

    /// The rare path of ``note(task:worker:)``: the pair was seen before in this task.
    @inline(never)
    private mutating func noteRepeat(task t: Int32, worker w: Int32, count: UnsafeMutablePointer<Int32>) {
        count.pointee += 1
        found.extra += 1
        if count.pointee == 2 { found.pairs += 1 }
        found.repeated.insert(w)
        if found.example == nil { found.example = (t, w) }
    }
}
