import Foundation
import TallyCore
import TallyQualityControl

extension Simulation {
    // MARK: - Finishing suites

    mutating func finish(_ a: Int32, _ t: Int64) {
        let ai = Int(a)
        guard assign[ai].status == .active else { return }
        let w = assign[ai].worker
        let wi = Int(w)
        activeCount -= 1
        assign[ai].endMs = t
        let first = Int(assign[ai].slotStart), end = first + Int(assign[ai].slotCount)
        switch assign[ai].planned {
        case 1:
            assign[ai].status = .submitted
            // The engine sees no simulation state: send its events first, so the task lines fetched
            // ahead have time to arrive; the actions are handled after the tasks are updated, as before.
            var control = AnswerOutcomes(), training = AnswerOutcomes()
            var correct: Int32 = 0, total: Int32 = 0
            for s in first..<end {
                let id = slot[s].task
                switch slot[s].kind {
                case 0:
                    break
                case 1:
                    let right = slot[s].label == goldenLabel[Int(id)]
                    control.append(right)
                    total += 1
                    if right { correct += 1 }
                default:
                    training.append(slot[s].label == trainingLabel[Int(id)])
                }
            }
            worker[wi].goldTotal += total
            worker[wi].goldCorrect += correct
            let now = engineTime(t)
            feed.process(AssignmentEvent(time: now, worker: w, .submitted(Submission(duration: now - engineTime(assign[ai].startMs), control: control, training: training))))
            if autoAccept {
                assign[ai].status = .accepted
                assign[ai].reviewMs = t
                if policy.feedsAutoAcceptance { feed.process(AssignmentEvent(time: now, worker: w, .accepted)) }
            } else {
                queue.push(t + autoAcceptPeriodMs, .autoAccept, a)
            }
            for s in first..<end where slot[s].kind == 0 {
                let ti = Int(slot[s].task)
                task[ti].active -= 1
                addAnswer(ti, Int32(s), w)
            }
            handleActions(t)
            for s in first..<end where slot[s].kind == 0 { taskReachedOverlap(slot[s].task, t) }
            worker[wi].done += 1
            if worker[wi].done >= worker[wi].planned || worker[wi].dropout {
                leave(w, t)
            } else {
                let gap = Int64((rng.exponential(rate: gapRate) * 1000).rounded())
                queue.push(t + gap, .request, w)
            }
        case 4, 5:
            let skipped = assign[ai].planned == 4
            assign[ai].status = skipped ? .skipped : .expired
            giveBack(first, end)
            feed.process(AssignmentEvent(time: engineTime(t), worker: w, skipped ? .skipped : .expired))
            handleActions(t)
            worker[wi].done += 1
            if skipped, worker[wi].done < worker[wi].planned, !worker[wi].dropout {
                let gap = Int64((rng.exponential(rate: gapRate) * 1000).rounded())
                queue.push(t + gap, .request, w)
            } else {
                leave(w, t)
            }
        default:
            break
        }
    }

    mutating func giveBack(_ first: Int, _ end: Int) {
        for s in first..<end where slot[s].kind == 0 {
            let id = slot[s].task
            task[Int(id)].active -= 1
            updateAvailability(id)
        }
    }

    /// Checks whether a general task reached its overlap; grows dynamic overlap or marks it resolved.
    mutating func taskReachedOverlap(_ id: Int32, _ t: Int64) {
        let p = task + Int(id)
        guard !p.pointee.resolved, p.pointee.submitted >= p.pointee.target else { updateAvailability(id); return }
        if let d = dynamicOverlap, p.pointee.target < Int32(d.maxOverlap), confidence(id) < d.minConfidence {
            p.pointee.target += 1
            updateAvailability(id)
            return
        }
        p.pointee.resolved = true
        taskResolvedMs[Int(id)] = t
        resolvedCount += 1
        updateAvailability(id)
        if pendingMajorityMs != t {
            if pendingMajorityMs >= 0 { flushMajority() }
            pendingMajorityMs = t
        }
        pendingMajority.append(id)
    }

    /// Toloka's dynamic-overlap confidence in the leading answer: its posterior probability under a
    /// uniform prior, each answerer a one-coin worker of its smoothed control accuracy.
    mutating func confidence(_ id: Int32) -> Double {
        let kk = dynamicOverlapSmoothing
        for z in 0..<k { scratchLogL[z] = 0 }
        @inline(__always) func add(_ s: Int32, _ w: Int32, _ logL: inout [Double]) {
            let q = min(1 - 1e-9, max(1e-9, (kk + Double(worker[Int(w)].goldCorrect)) / (2 * kk + Double(worker[Int(w)].goldTotal))))
            let a = Int(slot[Int(s)].label)
            for z in 0..<k { logL[z] += Foundation.log(z == a ? q : (1 - q) / Double(k - 1)) }
        }
        let p = task + Int(id)
        var logL = scratchLogL
        scratchLogL = []
        for i in 0..<min(4, Int(p.pointee.submitted)) { add(p.pointee.slots[i], p.pointee.workers[i], &logL) }
        var o = p.pointee.overflowHead
        while o >= 0 {
            add(overflowSlot[Int(o)], overflowWorker[Int(o)], &logL)
            o = overflowNext[Int(o)]
        }
        let top = logL.max() ?? 0
        let sum = logL.reduce(0) { $0 + Foundation.exp($1 - top) }
        scratchLogL = logL
        return 1 / sum
    }

    var dynamicOverlapSmoothing: Double { scenario.simulation.dynamicOverlapSmoothing }

    /// Delivers the majority events of tasks resolved at `pendingMajorityMs`, in the replay's order.
    mutating func flushMajority() {
        let t = pendingMajorityMs
        pendingMajorityMs = -1
        guard !pendingMajority.isEmpty else { return }
        guard majorityRules else {
            // No rule counts majority events: the engine would take no action on them.
            pendingMajority.removeAll(keepingCapacity: true)
            checkCompletion(t)
            return
        }
        swap(&pendingMajority, &flushTasks)
        pendingMajority.removeAll(keepingCapacity: true)
        defer { flushTasks.removeAll(keepingCapacity: true) }
        // The export lists suites in issue order, so a task's first row is its earliest answer slot.
        if flushTasks.count > 1 {
            // Sort by first row: pack (first slot, task) into one word per task.
            flushKeys.removeAll(keepingCapacity: true)
            for id in flushTasks {
                let p = task + Int(id)
                var best = Int32.max
                for i in 0..<min(4, Int(p.pointee.submitted)) { best = min(best, p.pointee.slots[i]) }
                var o = p.pointee.overflowHead
                while o >= 0 { best = min(best, overflowSlot[Int(o)]); o = overflowNext[Int(o)] }
                flushKeys.append(UInt64(UInt32(bitPattern: best)) << 32 | UInt64(UInt32(bitPattern: id)))
            }
            flushKeys.sort()
            for i in flushKeys.indices { flushTasks[i] = Int32(bitPattern: UInt32(truncatingIfNeeded: flushKeys[i])) }
        }
        let now = engineTime(t)
        QualityControlFeed.lend(from: &self, \.feed) { feed, s in
            for i in s.flushTasks.indices {
                let id = s.flushTasks[i]
                let p = s.task + Int(id)
                // (slot, worker) pairs packed in one word, sorted by slot: the export's row order.
                s.scratchAnswers.removeAll(keepingCapacity: true)
                for z in 0..<s.k { s.scratchCounts[z] = 0 }
                for j in 0..<min(4, Int(p.pointee.submitted)) {
                    let slot = p.pointee.slots[j]
                    s.scratchAnswers.append(UInt64(UInt32(bitPattern: slot)) << 32 | UInt64(UInt32(bitPattern: p.pointee.workers[j])))
                    s.scratchCounts[Int(s.slot[Int(slot)].label)] += 1
                }
                var o = p.pointee.overflowHead
                while o >= 0 {
                    let slot = s.overflowSlot[Int(o)]
                    s.scratchAnswers.append(UInt64(UInt32(bitPattern: slot)) << 32 | UInt64(UInt32(bitPattern: s.overflowWorker[Int(o)])))
                    s.scratchCounts[Int(s.slot[Int(slot)].label)] += 1
                    o = s.overflowNext[Int(o)]
                }
                if s.scratchAnswers.count > 1 { insertionSort(&s.scratchAnswers) }
                s.scratchMajority.removeAll(keepingCapacity: true)
                for packed in s.scratchAnswers {
                    let slot = Int(packed >> 32), w = Int32(bitPattern: UInt32(truncatingIfNeeded: packed))
                    s.scratchMajority.append((w, s.slot[slot].label))
                }
                feed.resolveMajority(task: id, at: now, answers: s.scratchMajority, counts: s.scratchCounts) { s.carryOut($0, t) }
            }
        }
        checkCompletion(t)
    }

    mutating func checkCompletion(_ t: Int64) {
        pool.closeIfComplete(resolvedCount == taskCount && activeCount == 0, at: t)
    }

    // MARK: - Actions and reviews

    /// Carries out the actions quality control took since the last call (``QualityControlFeed``).
    @inline(__always)
    mutating func handleActions(_ t: Int64) {
        guard feed.hasPendingActions else { return }
        QualityControlFeed.lend(from: &self, \.feed) { feed, s in feed.carryOutActions { s.carryOut($0, t) } }
    }

    /// One action's effect at `t`: a restriction marks the worker (and recompletes); a review returns
    /// how many suites it reviewed. Skills have no effect on a simulated pool.
    mutating func carryOut(_ effect: QualityControlFeed.Effect, _ t: Int64) -> Int {
        switch effect {
        case .perform(let action):
            switch action.action {
            case .restriction, .legacyRestriction:
                let w = action.worker, wi = Int(w)
                if workerFirstBanMs[wi] < 0 { workerFirstBanMs[wi] = t }
                worker[wi].everRestricted = true
                if let r = recompletion { recomplete(w, delta: r.delta, reopen: r.openPool, t) }
            default:
                break
            }
            return 0
        case .review(let w, let status, _, _):
            return review(w, accept: status == .accepted, t)
        }
    }

    /// Reviews every SUBMITTED suite of worker `w` at `t`; returns how many.
    mutating func review(_ w: Int32, accept: Bool, _ t: Int64) -> Int {
        var a = workerFirstAssignment[Int(w)], reviewed = 0
        while a >= 0 {
            if assign[Int(a)].status == .submitted {
                assign[Int(a)].status = accept ? .accepted : .rejected
                assign[Int(a)].reviewMs = t
                reviewed += 1
            }
            a = assign[Int(a)].next
        }
        return reviewed
    }

    mutating func autoAccept(_ a: Int32, _ t: Int64) {
        guard assign[Int(a)].status == .submitted else { return }
        assign[Int(a)].status = .accepted
        assign[Int(a)].reviewMs = t
        feed.process(AssignmentEvent(time: engineTime(t), worker: assign[Int(a)].worker, .accepted))
        handleActions(t)
    }

    mutating func recomplete(_ w: Int32, delta: Int, reopen: Bool, _ t: Int64) {
        let wi = Int(w)
        var a = workerFirstAssignment[wi]
        var last = workerRecompletedUpTo[wi]
        while a >= 0 {
            if a > workerRecompletedUpTo[wi], assign[Int(a)].status == .submitted || assign[Int(a)].status == .accepted || assign[Int(a)].status == .rejected {
                let first = Int(assign[Int(a)].slotStart), end = first + Int(assign[Int(a)].slotCount)
                for s in first..<end where slot[s].kind == 0 {
                    let p = task + Int(slot[s].task)
                    p.pointee.target = max(0, p.pointee.target + Int32(delta))
                    if p.pointee.resolved, p.pointee.submitted < p.pointee.target {
                        p.pointee.resolved = false
                        resolvedCount -= 1
                    }
                    updateAvailability(slot[s].task)
                }
                last = a
            }
            a = assign[Int(a)].next
        }
        workerRecompletedUpTo[wi] = last
        creationCursor = 0
        if reopen, resolvedCount < taskCount, pool.mayReopen(at: t, rule: policy.reopenRule(expiry: expireMs)) {
            pool.open(at: t)
            if !arrivalsRunning {
                arrivalsRunning = true
                queue.push(t, .arrival, 0)
            }
        }
    }

    mutating func poolExpire(_ t: Int64) {
        // A closed pool has no active suite (completion waits for them; nothing is issued while closed).
        guard pool.close(.expired, at: t) || activeCount > 0, policy.expiresActiveSuitesWithPool else { return }
        for a in assign.indices where assign[a].status == .active {
            assign[a].status = .expired
            assign[a].endMs = t
            activeCount -= 1
            let first = Int(assign[a].slotStart)
            giveBack(first, first + Int(assign[a].slotCount))
            feed.process(AssignmentEvent(time: engineTime(t), worker: assign[a].worker, .expired))
            handleActions(t)
            leave(assign[a].worker, t)
        }
    }
}
