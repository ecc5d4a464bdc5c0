import Foundation
import TallyCore
import TallyQualityControl

extension Simulation {
    // MARK: - Main loop

    /// Runs the pool from its opening to its close: ``start()``, ``advance(to:)`` without limit, ``finishRun()``.
    mutating func run() {
        start()
        advance(to: .max)
        finishRun()
    }

    /// Opens the pool at time 0: the first arrival, and the pool's expiry at `will_expire`.
    mutating func start() {
        queue.push(0, .arrival, 0)
        queue.push(expireMs, .poolExpire, 0)
    }

    /// Processes every event up to and including `limit` (milliseconds); events the run schedules
    /// meanwhile are processed too when they fall within the limit. Majority events of the last
    /// millisecond processed stay pending until a later event (or ``finishRun()``) delivers them.
    mutating func advance(to limit: Int64) {
        while let t = queue.peekTime, t <= limit {
            if pendingMajorityMs >= 0, t > pendingMajorityMs { flushMajority() }
            if queue.first!.kind == .request { prefetchDraws() }
            let e = queue.pop()
            // Software pipelining: the next event's tasks (its records were fetched one event ago)
            // and the records of the one after load while this event runs.
            if let next = queue.first { prefetchTasks(next) }
            if let after = queue.second { prefetchRecords(after) }
            switch e.kind {
            case .arrival: arrival(e.time)
            case .request: request(e.id, e.time)
            case .finish: finish(e.id, e.time)
            case .autoAccept: autoAccept(e.id, e.time)
            case .poolExpire: poolExpire(e.time)
            case .expire, .complete: break  // the emulator's kinds; never scheduled here
            }
        }
    }

    /// Delivers the majority events still pending once no event is left.
    mutating func finishRun() {
        if pendingMajorityMs >= 0 { flushMajority() }
    }

    // MARK: - Prefetching (hints only: they change no state)

    /// The assignment and slot records of a `finish` event, the worker of a `request`.
    @inline(__always)
    func prefetchRecords(_ e: EventQueue<Int64>.Event) {
        switch e.kind {
        case .finish:
            assign.withUnsafeBufferPointer { b in
                if Int(e.id) < b.count { prefetch(b.baseAddress! + Int(e.id)) }
            }
            slot.withUnsafeBufferPointer { b in
                let i = Int(e.aux)
                if i < b.count {
                    prefetch(b.baseAddress! + i)
                    prefetch(UnsafeRawPointer(b.baseAddress! + i) + 63)
                }
            }
        case .request:
            worker.withUnsafeBufferPointer { b in
                if Int(e.id) < b.count { prefetch(b.baseAddress! + Int(e.id)) }
            }
        default:
            break
        }
    }

    /// Before a `request`: the tasks the mixer's first draws will pick (nothing uses the random stream
    /// between now and those draws), and the last available task (a removal moves it).
    @inline(__always)
    func prefetchDraws() {
        guard !creationOrder, !available.isEmpty else { return }
        var r = rng
        let n = available.count
        available.withUnsafeBufferPointer { b in
            for _ in 0..<min(4, realPerSuite) { prefetch(task + Int(b[r.below(n)])) }
            prefetch(task + Int(b[n - 1]))
        }
    }

    /// The general tasks of a `finish` event and the engine's state for its worker.
    @inline(__always)
    func prefetchTasks(_ e: EventQueue<Int64>.Event) {
        guard e.kind == .finish else { return }
        feed.engine.prefetch(worker: assign[Int(e.id)].worker)
        let first = Int(e.aux), end = first + Int(assign[Int(e.id)].slotCount)
        slot.withUnsafeBufferPointer { b in
            for s in first..<end where b[s].kind == 0 { prefetch(task + Int(b[s].task)) }
        }
    }

    mutating func arrival(_ t: Int64) {
        guard pool.isOpen, workerType.count < scenario.crowd.maxWorkers else { arrivalsRunning = false; return }
        let w = newWorker(t)
        queue.push(t, .request, w)
        // Next arrival: thinning of a Poisson process with rate λ(1 + A cos(2π(h − peak)/24)).
        let next = arrivals.next(after: Double(t), &rng)
        let nextMs = Int64(next.rounded(.up))
        if nextMs < expireMs { queue.push(max(nextMs, t), .arrival, 0) } else { arrivalsRunning = false }
    }

    mutating func newWorker(_ t: Int64) -> Int32 {
        let w = Int32(workerType.count)
        let drawn = crowd.drawWorker(&rng)
        let (planned, dropout) = crowd.drawSession(&rng)
        let g = Int32(goldenLabel.count), tr = Int32(trainingLabel.count)
        let goldenStart = g > 0 ? Int32(rng.below(Int(g))) : 0
        let goldenStride = g > 0 ? coprimeStride(Int(g)) : 1
        workerTrainingSeen.append(0)
        workerTrainingStart.append(tr > 0 ? Int32(rng.below(Int(tr))) : 0)
        workerTrainingStride.append(tr > 0 ? coprimeStride(Int(tr)) : 1)
        workerType.append(Int32(drawn.type))
        worker.append(WorkerState(parameter: drawn.parameter, logMedian: drawn.logMedian, fixed: drawn.fixed, confusion: drawn.confusion,
                                  planned: Int32(max(1, planned)), done: 0, goldenSeen: 0, goldenStart: goldenStart, goldenStride: goldenStride,
                                  goldCorrect: 0, goldTotal: 0, lastAssignment: -1, model: drawn.code, dropout: dropout, everRestricted: false))
        workerArrivalMs.append(t)
        workerLeftMs.append(-1)
        workerFirstBanMs.append(-1)
        workerFirstAssignment.append(-1)
        workerRecompletedUpTo.append(-1)
        if Int(w) >= 64, Int(w) & (Int(w) - 1) == 0 { feed.engine.reserveWorkers(2 * Int(w)) }
        return w
    }

    /// A random step in 1..<n coprime with n (1 when n is 1).
    mutating func coprimeStride(_ n: Int) -> Int32 {
        guard n > 2 else { return 1 }
        while true {
            let s = 1 + rng.below(n - 1)
            var a = s, b = n
            while b != 0 { (a, b) = (b, a % b) }
            if a == 1 { return Int32(s) }
        }
    }

    mutating func leave(_ w: Int32, _ t: Int64) {
        if workerLeftMs[Int(w)] < 0 { workerLeftMs[Int(w)] = t }
    }

    // MARK: - Issuing suites

    @inline(__always)
    mutating func updateAvailability(_ id: Int32) {
        let p = task + Int(id)
        let open = !p.pointee.resolved && p.pointee.target - p.pointee.active - p.pointee.submitted > 0
        let position = p.pointee.position
        if open, position < 0 {
            p.pointee.position = Int32(available.count)
            available.append(id)
        } else if !open, position >= 0 {
            let last = available.removeLast()
            if last != id {
                available[Int(position)] = last
                task[Int(last)].position = position
            }
            p.pointee.position = -1
        }
    }

    /// Whether worker `w` submitted an answer to general task `id` (a worker holds one suite at a time,
    /// so active suites need no check).
    @inline(__always)
    func answered(_ w: Int32, _ id: Int32) -> Bool {
        let p = task + Int(id)
        if any(p.pointee.workers .== SIMD4(repeating: w)) { return true }
        var o = p.pointee.overflowHead
        while o >= 0 {
            if overflowWorker[Int(o)] == w { return true }
            o = overflowNext[Int(o)]
        }
        return false
    }

    /// Records a submitted answer (slot `s` by worker `w`) to general task `ti`.
    @inline(__always)
    mutating func addAnswer(_ ti: Int, _ s: Int32, _ w: Int32) {
        let p = task + ti
        let n = Int(p.pointee.submitted)
        if n < 4 {
            p.pointee.slots[n] = s
            p.pointee.workers[n] = w
        } else {
            let o = Int32(overflowSlot.count)
            overflowSlot.append(s)
            overflowWorker.append(w)
            overflowNext.append(-1)
            if p.pointee.overflowTail >= 0 { overflowNext[Int(p.pointee.overflowTail)] = o } else { p.pointee.overflowHead = o }
            p.pointee.overflowTail = o
        }
        p.pointee.submitted += 1
    }

    mutating func request(_ w: Int32, _ t: Int64) {
        let wi = Int(w)
        // Restrictions come only from actions, all handled by now: a worker never restricted is not.
        guard pool.isOpen, !(worker[wi].everRestricted && feed.engine.isRestricted(worker: w, at: engineTime(t))) else { leave(w, t); return }
        if goldenPerSuite > 0, Int(worker[wi].goldenSeen) + goldenPerSuite > goldenLabel.count { leave(w, t); return }
        if trainingPerSuite > 0, Int(workerTrainingSeen[wi]) + trainingPerSuite > trainingLabel.count { leave(w, t); return }
        // General tasks.
        scratchSuite.removeAll(keepingCapacity: true)
        scratchKinds.removeAll(keepingCapacity: true)
        var exhaustive = false
        if creationOrder {
            var i = creationCursor
            while i < taskCount, scratchSuite.count < realPerSuite {
                if task[i].position >= 0, !answered(w, Int32(i)) { scratchSuite.append(Int32(i)) }
                i += 1
            }
            exhaustive = i == taskCount
            while creationCursor < taskCount, task[creationCursor].resolved { creationCursor += 1 }
        } else {
            var tries = 0
            while scratchSuite.count < realPerSuite, tries < 4 * realPerSuite + 4, !available.isEmpty {
                tries += 1
                let id = available[rng.below(available.count)]
                if !scratchSuite.contains(id), !answered(w, id) { scratchSuite.append(id) }
            }
            if scratchSuite.count < realPerSuite, !available.isEmpty {
                exhaustive = true
                let n = available.count
                let start = rng.below(n)
                var j = 0
                while j < n, scratchSuite.count < realPerSuite {
                    let id = available[(start + j) % n]
                    if !scratchSuite.contains(id), !answered(w, id) { scratchSuite.append(id) }
                    j += 1
                }
            }
        }
        if !mixer.admitsSuite(found: scratchSuite.count, searchExhausted: exhaustive, openTasks: available.count, rule: policy.lastSuiteRule) {
            leave(w, t)
            return
        }
        for _ in scratchSuite { scratchKinds.append(0) }
        if goldenPerSuite > 0 {
            let count = goldenLabel.count
            let start = Int(worker[wi].goldenStart), stride = Int(worker[wi].goldenStride)
            var seen = Int(worker[wi].goldenSeen)
            for _ in 0..<goldenPerSuite {
                scratchSuite.append(Int32((start + seen * stride) % count)); scratchKinds.append(1)
                seen += 1
            }
            worker[wi].goldenSeen = Int32(seen)
        }
        for _ in 0..<trainingPerSuite {
            let g = (Int(workerTrainingStart[wi]) + Int(workerTrainingSeen[wi]) * Int(workerTrainingStride[wi])) % trainingLabel.count
            workerTrainingSeen[wi] += 1
            scratchSuite.append(Int32(g)); scratchKinds.append(2)
        }
        let size = scratchSuite.count
        if shuffle {
            var i = size - 1
            while i > 0 {
                let j = rng.below(i + 1)
                scratchSuite.swapAt(i, j); scratchKinds.swapAt(i, j)
                i -= 1
            }
        }
        // The assignment.
        let a = Int32(assign.count)
        let last = worker[wi].lastAssignment
        if last >= 0 { assign[Int(last)].next = a } else { workerFirstAssignment[wi] = a }
        worker[wi].lastAssignment = a
        activeCount += 1
        let state = worker[wi]
        let slotStart = Int32(slot.count)
        for i in 0..<size {
            let id = scratchSuite[i], kind = scratchKinds[i]
            if kind == 0 {
                let p = task + Int(id)
                slot.append(SlotState(task: id, label: answer(state, kind, id, p.pointee.label, p.pointee.difficulty), kind: kind))
                p.pointee.active += 1
                updateAvailability(id)
            } else {
                slot.append(SlotState(task: id, label: answer(state, kind, id, kind == 1 ? goldenLabel[Int(id)] : trainingLabel[Int(id)], 0), kind: kind))
            }
        }
        // How it ends.
        let seconds = crowd.suiteSeconds(logMedian: state.logMedian, logTasks: logSize[size], &rng)
        var ms = max(1, Int64(min(1e12, seconds * 1000).rounded()))
        var planned: UInt8 = 1
        if skipProbability > 0, rng.bernoulli(skipProbability) {
            planned = 4
            ms = max(1, ms / 5)
        } else if ms > maxDurationMs {
            planned = 5
            ms = maxDurationMs
        }
        assign.append(AssignmentState(startMs: t, endMs: -1, reviewMs: -1, worker: w, slotStart: slotStart, next: -1,
                                      slotCount: UInt8(size), planned: planned, status: .active))
        queue.push(t + ms, .finish, a, aux: slotStart)
    }

    /// The label a worker gives to a task (`kind` 0 general, 1 control, 2 training) whose true label
    /// is `truth` (difficulty 0 for control and training tasks); the model is ``CrowdModel/answer``.
    @inline(__always)
    mutating func answer(_ state: WorkerState, _ kind: UInt8, _ id: Int32, _ truth: Int32, _ difficulty: UInt8) -> Int32 {
        // Only GLAD workers read the task's β (general tasks; 1 for control and training tasks).
        let beta = state.model == ModelCode.glad && kind == 0 ? taskBeta[Int(id)] : 1
        return crowd.answer(code: state.model, parameter: state.parameter, fixed: state.fixed, confusion: state.confusion, kind: kind,
                            key: UInt64(kind) << 32 | UInt64(UInt32(bitPattern: id)), truth: truth, difficulty: difficulty, beta: beta, k: k, &rng)
    }
}
