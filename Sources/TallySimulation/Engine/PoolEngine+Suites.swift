import TallyCore
import TallyQualityControl

extension PoolEngine {
    // MARK: - Issuing

    /// `worker` asks for a suite at `t`: issues one if the mixer can build it.
    mutating func request<Host: PoolEngineHost>(_ worker: Int32, at t: Double, _ host: inout Host) {
        let wi = Int(worker)
        guard wi >= 0, wi < busy.count, !busy[wi], !departed[wi], let mixer = settings.mixer else { return }
        guard host.mayWork(worker, at: t), let suite = buildSuite(for: worker, mixer) else {
            if policy.workersLeaveWhenNoSuite { departed[wi] = true }
            return
        }
        for i in suite {
            tasks[i].issued += 1
            tasks[i].seenBy.insert(worker)
        }
        let index = assignments.count
        assignments.append(Assignment(worker: worker, tasks: suite, created: t))
        host.issued(assignment: index, worker: worker, tasks: suite, at: t)
        busy[wi] = true
        active += 1
        let duration = host.suiteDuration(worker: worker, tasks: suite.count)
        if duration > settings.maxDuration {
            events.push(t + settings.maxDuration, .expire, Int32(index))
        } else {
            events.push(t + duration, .finish, Int32(index))
        }
    }

    /// The suite `mixer` builds for `worker` (task indices in page order), or nil when there is none.
    mutating func buildSuite(for worker: Int32, _ mixer: Mixer) -> [Int]? {
        let golden = controlTasks.filter { i in !tasks[i].seenBy.contains(worker) && (tasks[i].remainingOverlap ?? 1) > 0 }
        guard golden.count >= mixer.goldenTasksCount else { return nil }
        var real: [Int] = []
        if mixer.realTasksCount > 0 {
            var open = 0
            for i in generalTasks where tasks[i].remainingOverlap ?? 0 > 0 {
                open += 1
                if !tasks[i].seenBy.contains(worker) { real.append(i) }
            }
            // The scan went through every open task: the search is exhausted whatever the rule.
            guard mixer.admitsSuite(found: real.count, searchExhausted: true, openTasks: open, rule: policy.lastSuiteRule) else { return nil }
            real = pick(real, mixer.realTasksCount, inOrder: mixer.mixTasksInCreationOrder)
        }
        var suite = real + pick(golden, mixer.goldenTasksCount, inOrder: mixer.mixTasksInCreationOrder)
        guard !suite.isEmpty else { return nil }
        if mixer.shuffleTasksInTaskSuite { suite.shuffle(using: &rng) }
        return suite
    }

    /// `n` of `candidates`: the first ones, or a uniform draw (partial Fisher–Yates).
    mutating func pick(_ candidates: [Int], _ n: Int, inOrder: Bool) -> [Int] {
        guard n < candidates.count else { return candidates }
        if inOrder { return Array(candidates.prefix(n)) }
        var c = candidates
        for k in 0..<n {
            let j = k + Int(rng.next() % UInt64(c.count - k))
            c.swapAt(k, j)
        }
        return Array(c.prefix(n))
    }

    // MARK: - Submission and expiry

    /// Assignment `index` is submitted at `t`.
    mutating func submit<Host: PoolEngineHost>(_ index: Int, at t: Double, _ host: inout Host) {
        guard assignments[index].status == .active else { return }
        let a = assignments[index]
        let w = a.worker
        let answers = host.answers(assignment: index, worker: w, tasks: a.tasks)
        var control = AnswerOutcomes()
        var completed: [Int] = []
        for (k, i) in a.tasks.enumerated() {
            if tasks[i].isControl {
                control.append(answers[k].correct)
                tasks[i].submitted += 1
            } else {
                tasks[i].submitted += 1
                tasks[i].answers.append((w, answers[k].label))
                if tasks[i].isComplete {
                    generalComplete += 1
                    completed.append(i)
                }
            }
        }
        assignments[index].status = .submitted
        host.statusChanged(assignment: index, to: .submitted, at: t, comment: nil)
        if settings.autoAccept {
            assignments[index].status = .accepted
            host.statusChanged(assignment: index, to: .accepted, at: t, comment: nil)
        }
        active -= 1
        busy[Int(w)] = false
        feed.process(.submitted(time: t, worker: w, duration: t - a.created, control: control))
        if settings.autoAccept, policy.feedsAutoAcceptance { feed.process(AssignmentEvent(time: t, worker: w, .accepted)) }
        carryOutActions(&host)
        for i in completed { resolveMajority(i, at: t, &host) }
        if isOpen, let pause = host.pauseBeforeNextSuite(worker: w) {
            events.push(t + pause, .request, w)
        }
        checkCompletion(at: t)
    }

    /// Quality control's majority events for general task `i`, which has just got all its answers:
    /// one per answer, in submission order.
    mutating func resolveMajority<Host: PoolEngineHost>(_ i: Int, at t: Double, _ host: inout Host) {
        // Labels in order of first answer, and each answer's index among them.
        var labels: [Int32] = [], counts: [Int32] = [], answers: [(worker: Int32, label: Int32)] = []
        for (w, label) in tasks[i].answers {
            if let j = labels.firstIndex(of: label) {
                counts[j] += 1
                answers.append((w, Int32(j)))
            } else {
                answers.append((w, Int32(labels.count)))
                labels.append(label)
                counts.append(1)
            }
        }
        QualityControlFeed.lend(from: &self, \.feed) { feed, engine in
            feed.resolveMajority(task: Int32(i), at: t, answers: answers, counts: counts) { engine.carryOut($0, &host) }
        }
    }

    /// Assignment `index` runs out of time at `t`: EXPIRED, its slots given back.
    mutating func expire<Host: PoolEngineHost>(_ index: Int, at t: Double, _ host: inout Host) {
        guard assignments[index].status == .active else { return }
        assignments[index].status = .expired
        host.statusChanged(assignment: index, to: .expired, at: t, comment: nil)
        for i in assignments[index].tasks { tasks[i].issued -= 1 }
        active -= 1
        let w = assignments[index].worker
        busy[Int(w)] = false
        feed.process(AssignmentEvent(time: t, worker: w, .expired))
        carryOutActions(&host)
        checkCompletion(at: t)
    }

    // MARK: - Reviews and actions

    /// Accepts or rejects assignment `index` at `t` (the requester's review), and feeds quality control.
    package mutating func review<Host: PoolEngineHost>(_ index: Int, accept: Bool, at t: Double, _ host: inout Host) {
        let status: AssignmentStatus = accept ? .accepted : .rejected
        assignments[index].status = status
        host.statusChanged(assignment: index, to: status, at: t, comment: nil)
        feed.process(AssignmentEvent(time: t, worker: assignments[index].worker, accept ? .accepted : .rejected))
        if !accept { reassess(index, at: t, &host) }
        carryOutActions(&host)
    }

    /// Suite `index` was rejected at `t`: the ``reassessment`` rule's `CHANGE_OVERLAP` on its general
    /// tasks, and the pool reopened with `open_pool` when there is work again.
    mutating func reassess<Host: PoolEngineHost>(_ index: Int, at t: Double, _ host: inout Host) {
        guard let r = reassessment, r.delta != 0 else { return }
        overlapChanges.append((t, assignments[index].worker, index, r.delta))
        for i in assignments[index].tasks where !tasks[i].isControl {
            guard let o = tasks[i].overlap else { continue }
            let wasComplete = tasks[i].isComplete
            tasks[i].overlap = max(1, o + r.delta)
            if wasComplete != tasks[i].isComplete { generalComplete += wasComplete ? -1 : 1 }
            host.overlapChanged(task: i, to: tasks[i].overlap!)
        }
        if r.openPool, !isComplete, lifecycle.mayReopen(at: t, rule: policy.reopenRule(expiry: settings.willExpire ?? .infinity)) {
            open(at: t, &host)
        } else {
            checkCompletion(at: t)
        }
    }

    /// Carries out the actions quality control took since the last call, in order.
    mutating func carryOutActions<Host: PoolEngineHost>(_ host: inout Host) {
        guard feed.hasPendingActions else { return }
        QualityControlFeed.lend(from: &self, \.feed) { feed, engine in feed.carryOutActions { engine.carryOut($0, &host) } }
    }

    /// One action's effect on the pool's records and the host; returns how many suites it reviewed.
    mutating func carryOut<Host: PoolEngineHost>(_ effect: QualityControlFeed.Effect, _ host: inout Host) -> Int {
        switch effect {
        case .perform(let action):
            host.perform(action)
            return 0
        case .review(let worker, let status, let time, let comment):
            var reviewed = 0
            for k in assignments.indices where assignments[k].worker == worker && assignments[k].status == .submitted {
                assignments[k].status = status
                host.statusChanged(assignment: k, to: status, at: time, comment: comment)
                if status == .rejected { reassess(k, at: time, &host) }
                reviewed += 1
            }
            return reviewed
        }
    }
}
