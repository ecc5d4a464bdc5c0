import Foundation
import TallyQualityControl

/// The numbers a study compares: cost, time, bans, spam. Written as summary.json.
///
/// Made by ``SimulationResult/summary()``; ``Study/run(jobs:progress:)`` returns one per run with
/// ``aggregators`` filled in. Times are seconds from the pool's start, money is USD, rates are 0…1.
public struct SimulationSummary: Sendable, Codable, Equatable {
    /// The scenario's name.
    public var scenario: String
    /// The run's seed.
    public var seed: UInt64
    /// How the pool closed and how fast its tasks were completed.
    public var pool: Pool
    /// Assignments (task suites) by final status.
    public var assignments: Assignments
    /// Workers who came, worked and were banned.
    public var workers: Workers
    /// Answers by spam-type workers and how many reached the accepted data.
    public var spam: Spam
    /// What the pool cost, in USD.
    public var cost: Cost
    /// Observed accuracy of accepted general answers per worker type name (a type that gave none is absent).
    public var observedAccuracyByType: [String: Double]
    /// Accuracy of aggregators on the accepted data against the true labels, by method name;
    /// filled by ``Study/run(jobs:progress:)`` and `tally simulate`, nil from ``SimulationResult/summary()``.
    public var aggregators: [String: Double]?

    /// How the pool closed and how fast its general tasks reached their overlap.
    public struct Pool: Sendable, Codable, Equatable {
        /// COMPLETED, EXPIRED or OPEN.
        public var closeReason: String
        /// Seconds from the start to the closing (the completion time), nil if it did not close.
        public var closedAfterSeconds: Double?
        /// General tasks in the pool.
        public var tasks: Int
        /// General tasks that reached their (final) overlap.
        public var tasksCompleted: Int
        /// Quantiles (50 %, 90 %, 100 %) of the seconds until a task reached its overlap.
        /// Nil when no task was completed.
        public var taskCompletionSecondsP50: Double?
        /// The 90 % quantile (see ``taskCompletionSecondsP50``).
        public var taskCompletionSecondsP90: Double?
        /// The slowest completed task's seconds (see ``taskCompletionSecondsP50``).
        public var taskCompletionSecondsMax: Double?
        /// Answers on general tasks in the accepted data (``SimulationResult/isAccepted(_:)``).
        public var acceptedGeneralAnswers: Int
    }

    /// Assignments (task suites) by status; `submitted` counts every answered suite, so it includes
    /// the accepted and rejected ones.
    public struct Assignments: Sendable, Codable, Equatable {
        /// Suites issued, answered (submitted, accepted or rejected), accepted, rejected, skipped and expired.
        public var issued = 0, submitted = 0, accepted = 0, rejected = 0, skipped = 0, expired = 0
        /// Control tasks ÷ all tasks of the answered suites (nil when none was answered).
        public var controlShare: Double?
    }

    /// Workers who came, worked and were banned; "good" is ``SimulationResult/isGood(_:)``.
    public struct Workers: Sendable, Codable, Equatable {
        /// Workers who arrived.
        public var arrived: Int
        /// Workers who were issued at least one suite.
        public var worked: Int
        /// Workers restricted at least once by the pool's rules.
        public var banned: Int
        /// Banned workers who were good.
        public var bannedGood: Int
        /// Good workers among those who arrived.
        public var good: Int
        /// Banned workers who were good ÷ banned workers (nil when nobody was banned).
        public var falseBanRate: Double?
        /// Good workers banned ÷ good workers who worked.
        public var goodBannedShare: Double?
        /// Workers who arrived, per worker type name.
        public var byType: [String: Int]
    }

    /// Answers on general tasks by workers of spam types (``WorkerType/Model/isSpammer``).
    public struct Spam: Sendable, Codable, Equatable {
        /// Spam answers submitted (in answered suites, rejected ones included).
        public var spamAnswers: Int
        /// Spam answers in the accepted data.
        public var spamAnswersAccepted: Int
        /// Spam answers that ended in the accepted data ÷ spam answers submitted.
        public var leakRate: Double?
        /// Spam answers ÷ all accepted general answers.
        public var shareOfAcceptedData: Double?
    }

    /// What the pool cost, in USD: rewards and fees of every paid (submitted or accepted, not
    /// rejected) suite. `real + golden + wasted == total`.
    public struct Cost: Sendable, Codable, Equatable {
        /// Rewards plus fees.
        public var total: Double
        /// Rewards paid to workers.
        public var rewards: Double
        /// Toloka's fees.
        public var fees: Double
        /// The general tasks' share of the suites of workers never banned.
        public var real: Double
        /// The control tasks' share of the suites of workers never banned.
        public var golden: Double
        /// Suites paid to workers who were banned during the run.
        public var wasted: Double
        /// The fee of one suite (``SimulationResult/feePerAssignment``).
        public var feePerAssignment: Double
        /// Total ÷ tasks completed.
        public var perCompletedTask: Double?
    }

    enum CodingKeys: String, CodingKey {
        case scenario, seed, pool, assignments, workers, spam, cost, aggregators
        case observedAccuracyByType = "observed_accuracy_by_type"
    }
}

extension SimulationSummary.Pool {
    enum CodingKeys: String, CodingKey {
        case closeReason = "close_reason", closedAfterSeconds = "closed_after_seconds", tasks, tasksCompleted = "tasks_completed"
        case taskCompletionSecondsP50 = "task_completion_seconds_p50", taskCompletionSecondsP90 = "task_completion_seconds_p90", taskCompletionSecondsMax = "task_completion_seconds_max"
        case acceptedGeneralAnswers = "accepted_general_answers"
    }
}
extension SimulationSummary.Assignments {
    enum CodingKeys: String, CodingKey { case issued, submitted, accepted, rejected, skipped, expired, controlShare = "control_share" }
}
extension SimulationSummary.Workers {
    enum CodingKeys: String, CodingKey {
        case arrived, worked, banned, good, bannedGood = "banned_good", falseBanRate = "false_ban_rate", goodBannedShare = "good_banned_share", byType = "by_type"
    }
}
extension SimulationSummary.Spam {
    enum CodingKeys: String, CodingKey { case spamAnswers = "spam_answers", spamAnswersAccepted = "spam_answers_accepted", leakRate = "leak_rate", shareOfAcceptedData = "share_of_accepted_data" }
}
extension SimulationSummary.Cost {
    enum CodingKeys: String, CodingKey { case total, rewards, fees, real, golden, wasted, feePerAssignment = "fee_per_assignment", perCompletedTask = "per_completed_task" }
}

extension SimulationSummary {
    /// The summary as JSON (sorted keys, stable bytes).
    public func json() -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(((try? e.encode(self)) ?? Data("{}".utf8)) + Data("\n".utf8))
    }
}

extension SimulationResult {
    /// Counts and rates of this run (without aggregator accuracies).
    public func summary() -> SimulationSummary {
        var a = SimulationSummary.Assignments()
        a.issued = assignmentCount
        var rewards = 0.0, fees = 0.0, real = 0.0, golden = 0.0, wasted = 0.0
        var controlSlots = 0, allSlots = 0
        var spamAnswers = 0, spamAccepted = 0, accepted = 0
        var typeCorrect = [Int](repeating: 0, count: scenario.crowd.types.count), typeTotal = typeCorrect
        let reward = scenario.pool.rewardPerAssignment, fee = feePerAssignment
        var worked = [Bool](repeating: false, count: workerCount)
        for i in 0..<assignmentCount {
            let w = Int(assignmentWorker[i])
            worked[w] = true
            switch assignmentStatus[i] {
            case .submitted: a.submitted += 1
            case .accepted: a.submitted += 1; a.accepted += 1
            case .rejected: a.submitted += 1; a.rejected += 1
            case .skipped: a.skipped += 1
            case .expired: a.expired += 1
            case .active: break
            }
            let first = Int(assignmentSlotStart[i]), n = Int(assignmentSlotCount[i])
            let status = assignmentStatus[i]
            guard status == .submitted || status == .accepted || status == .rejected else { continue }
            var generals = 0
            for s in first..<first + n where slotKind[s] == 0 { generals += 1 }
            allSlots += n
            controlSlots += n - generals
            if status != .rejected {
                rewards += reward
                fees += fee
                if workerFirstBanMilliseconds[w] >= 0 {
                    wasted += reward + fee
                } else {
                    real += (reward + fee) * Double(generals) / Double(n)
                    golden += (reward + fee) * Double(n - generals) / Double(n)
                }
            }
            let spam = model(of: Int32(w)).isSpammer
            let ok = isAccepted(i)
            for s in first..<first + n where slotKind[s] == 0 {
                if spam { spamAnswers += 1; if ok { spamAccepted += 1 } }
                if ok {
                    accepted += 1
                    let t = Int(workerType[w])
                    typeTotal[t] += 1
                    if slotLabel[s] == taskLabels[Int(slotTask[s])] { typeCorrect[t] += 1 }
                }
            }
        }
        a.controlShare = allSlots > 0 ? Double(controlSlots) / Double(allSlots) : nil

        var byType: [String: Int] = [:]
        var banned = 0, bannedGood = 0, good = 0, goodWorked = 0, goodBanned = 0
        for w in 0..<workerCount {
            byType[scenario.crowd.types[Int(workerType[w])].name, default: 0] += 1
            let isBanned = workerFirstBanMilliseconds[w] >= 0
            let g = isGood(Int32(w))
            if g { good += 1 }
            if g, worked[w] { goodWorked += 1; if isBanned { goodBanned += 1 } }
            if isBanned { banned += 1; if g { bannedGood += 1 } }
        }
        var observed: [String: Double] = [:]
        var namedCorrect: [String: Int] = [:], namedTotal: [String: Int] = [:]
        for (i, t) in scenario.crowd.types.enumerated() {
            namedCorrect[t.name, default: 0] += typeCorrect[i]
            namedTotal[t.name, default: 0] += typeTotal[i]
        }
        for (name, total) in namedTotal where total > 0 { observed[name] = Double(namedCorrect[name]!) / Double(total) }

        let resolved = taskResolvedMilliseconds.filter { $0 >= 0 }.sorted()
        func quantile(_ q: Double) -> Double? {
            guard !resolved.isEmpty else { return nil }
            let i = max(0, min(resolved.count - 1, Int((q * Double(resolved.count)).rounded(.up)) - 1))
            return Double(resolved[i]) / 1000
        }
        let total = rewards + fees
        return SimulationSummary(
            scenario: scenario.name, seed: seed,
            pool: .init(closeReason: closeReason.rawValue, closedAfterSeconds: closeMilliseconds.map { Double($0) / 1000 }, tasks: taskLabels.count,
                        tasksCompleted: resolved.count, taskCompletionSecondsP50: quantile(0.5), taskCompletionSecondsP90: quantile(0.9),
                        taskCompletionSecondsMax: quantile(1), acceptedGeneralAnswers: accepted),
            assignments: a,
            workers: .init(arrived: workerCount, worked: worked.filter { $0 }.count, banned: banned, bannedGood: bannedGood, good: good,
                           falseBanRate: banned > 0 ? Double(bannedGood) / Double(banned) : nil,
                           goodBannedShare: goodWorked > 0 ? Double(goodBanned) / Double(goodWorked) : nil, byType: byType),
            spam: .init(spamAnswers: spamAnswers, spamAnswersAccepted: spamAccepted,
                        leakRate: spamAnswers > 0 ? Double(spamAccepted) / Double(spamAnswers) : nil,
                        shareOfAcceptedData: accepted > 0 ? Double(spamAccepted) / Double(accepted) : nil),
            cost: .init(total: total, rewards: rewards, fees: fees, real: real, golden: golden, wasted: wasted, feePerAssignment: fee,
                        perCompletedTask: resolved.isEmpty ? nil : total / Double(resolved.count)),
            observedAccuracyByType: observed, aggregators: nil)
    }
}
