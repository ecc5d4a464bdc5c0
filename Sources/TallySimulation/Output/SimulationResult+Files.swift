import Foundation
import TallyCore
import TallyQualityControl

extension SimulationResult {
    /// The files of a run, by name, as bytes (the caller writes them all or nothing):
    /// * `answers.tsv` — crowd-kit format (`task`, `worker`, `label`): the accepted general answers;
    /// * `export.tsv` — Toloka's TSV export (the format of `GET /pools/{id}/export`) of every assignment, all statuses, with
    ///   `GOLDEN:result` on control and training rows, `HINT:text` on training rows, and the
    ///   `ASSIGNMENT:started/submitted/accepted/rejected/skipped/expired` times;
    /// * `gold.tsv` — the true label of every general task (`task`, `label`);
    /// * `tasks.tsv` — every task: kind, true label, difficulty, final overlap, completion time;
    /// * `workers.tsv` — every worker's true parameters and what happened to it;
    /// * `qc_log.tsv` — every action of the rules: time, worker, rule, action, until when, the statistics;
    /// * `pool.json` — the pool as a Toloka pool object (the `--rules` for `tally qc replay`);
    /// * `summary.json` — ``SimulationSummary``'s JSON; pass `summaryJSON` to write other bytes instead (a
    ///   summary with aggregator accuracies, say), so that the default one is not encoded for nothing.
    public func files(summaryJSON: [UInt8]? = nil) -> [(name: String, bytes: [UInt8])] {
        [
            ("answers.tsv", answersTSV()),
            ("export.tsv", exportTSV()),
            ("gold.tsv", goldTSV()),
            ("tasks.tsv", tasksTSV()),
            ("workers.tsv", workersTSV()),
            ("qc_log.tsv", qcLogTSV()),
            ("pool.json", Array(scenario.poolJSON()) + [0x0A]),
            ("summary.json", summaryJSON ?? summary().json()),
        ]
    }

    func labelName(_ l: Int32) -> String { scenario.labels[Int(l)] }

    /// answers.tsv (see ``files(summaryJSON:)``).
    func answersTSV() -> [UInt8] {
        var out = TSVBuffer()
        out.row(["task", "worker", "label"])
        let (t, w, l) = acceptedAnswers()
        for i in t.indices { out.row([taskName(t[i]), workerName(w[i]), labelName(l[i])]) }
        return out.bytes
    }

    /// gold.tsv (see ``files(summaryJSON:)``).
    func goldTSV() -> [UInt8] {
        var out = TSVBuffer()
        out.row(["task", "label"])
        for t in taskLabels.indices { out.row([taskName(Int32(t)), labelName(taskLabels[t])]) }
        return out.bytes
    }

    /// tasks.tsv (see ``files(summaryJSON:)``).
    func tasksTSV() -> [UInt8] {
        var out = TSVBuffer()
        out.row(["task", "kind", "label", "difficulty", "beta", "overlap", "completed_at"])
        let epoch = scenario.simulation.startEpochSeconds
        for t in taskLabels.indices {
            let d = ["normal", "easy", "impossible"][Int(taskDifficulty[t])]
            let done = taskResolvedMilliseconds[t] >= 0 ? TolokaTime.format(epoch: epoch, ms: taskResolvedMilliseconds[t]) : ""
            out.row([taskName(Int32(t)), "general", labelName(taskLabels[t]), d, "\(taskBetas[t])", "\(taskOverlap[t])", done])
        }
        for g in goldenLabels.indices { out.row([taskName(Int32(g), kind: 1), "control", labelName(goldenLabels[g]), "", "", "infinite", ""]) }
        for g in trainingLabels.indices { out.row([taskName(Int32(g), kind: 2), "training", labelName(trainingLabels[g]), "", "", "infinite", ""]) }
        return out.bytes
    }

    /// workers.tsv (see ``files(summaryJSON:)``).
    func workersTSV() -> [UInt8] {
        var out = TSVBuffer()
        out.row(["worker", "type", "model", "parameter", "expected_accuracy", "good", "spammer", "speedup", "median_seconds_per_task", "planned_suites", "arrived", "left", "first_banned"])
        let epoch = scenario.simulation.startEpochSeconds
        for w in 0..<workerCount {
            let type = scenario.crowd.types[Int(workerType[w])]
            let m = type.model
            var parameter = "\(workerParameter[w])"
            switch m {
            case .fixedAnswer: parameter = "label=\(labelName(workerFixed[w]))"
            case .adversarial: parameter = "strength=\(workerParameter[w]) shift=\(workerFixed[w])"
            case .colluding: parameter = "accuracy=\(workerParameter[w]) group=\(workerFixed[w] & 0xFFFFFF)"
            case .oneCoin: parameter = "accuracy=\(workerParameter[w])"
            case .glad: parameter = "alpha=\(workerParameter[w])"
            case .confusion: parameter = "mean_diagonal=\(workerParameter[w])"
            case .goldenDetector: parameter = "detection=\(workerParameter[w])"
            case .uniformSpammer, .fastCheater: parameter = ""
            }
            out.row([workerName(Int32(w)), type.name, m.kindName, parameter, "\(expectedAccuracy(of: Int32(w)))", isGood(Int32(w)) ? "true" : "false",
                     m.isSpammer ? "true" : "false", "\(type.speedup)", "\(Foundation.exp(workerLogMedian[w]))", "\(workerPlanned[w])",
                     TolokaTime.format(epoch: epoch, ms: workerArrivalMilliseconds[w]),
                     workerLeftMilliseconds[w] >= 0 ? TolokaTime.format(epoch: epoch, ms: workerLeftMilliseconds[w]) : "",
                     workerFirstBanMilliseconds[w] >= 0 ? TolokaTime.format(epoch: epoch, ms: workerFirstBanMilliseconds[w]) : ""])
        }
        return out.bytes
    }

    /// The quality-control log (qc_log.tsv) of `actions`, naming workers with `name`; `epoch` is the
    /// clock's zero in Unix seconds (`tally qc replay` writes its log with it).
    package static func qcLogTSV(_ actions: [QualityControlAction], epoch: Int64, name: (Int32) -> String) -> [UInt8] {
        var out = TSVBuffer()
        out.row(["time", "worker", "rule", "action", "scope", "until", "statistics", "comment"])
        for a in actions {
            let ms = Int64((a.time - Double(epoch)) * 1000 + 0.5)
            var scope = "", until = "", comment = ""
            if let r = a.action.restrictionValue {
                scope = r.scope.rawValue
                comment = r.privateComment ?? ""
                if let end = a.restrictionEnd { until = end.isFinite ? TolokaTime.format(epoch: epoch, ms: Int64((end - Double(epoch)) * 1000 + 0.5)) : "PERMANENT" }
            }
            let values = a.values.map { "\($0.key.rawValue)=\(scenarioNumber($0.value))" }.joined(separator: " ")
            out.row([TolokaTime.format(epoch: epoch, ms: ms), name(a.worker), a.rulePath, a.action.kind.rawValue, scope, until, values, comment])
        }
        return out.bytes
    }

    /// qc_log.tsv: this run's quality-control log (see ``files(summaryJSON:)``).
    func qcLogTSV() -> [UInt8] {
        Self.qcLogTSV(actions, epoch: scenario.simulation.startEpochSeconds, name: { workerName($0) })
    }

    /// Toloka's TSV export of every assignment (see ``files(summaryJSON:)``).
    func exportTSV() -> [UInt8] {
        var out = TSVBuffer()
        out.row(["INPUT:task", "OUTPUT:result", "GOLDEN:result", "HINT:text", "HINT:default_language", "ASSIGNMENT:link", "ASSIGNMENT:task_id",
                 "ASSIGNMENT:assignment_id", "ASSIGNMENT:worker_id", "ASSIGNMENT:status", "ASSIGNMENT:started", "ASSIGNMENT:submitted",
                 "ASSIGNMENT:accepted", "ASSIGNMENT:rejected", "ASSIGNMENT:skipped", "ASSIGNMENT:expired", "ASSIGNMENT:reward"])
        let epoch = scenario.simulation.startEpochSeconds
        let reward = "\(scenario.pool.rewardPerAssignment)"
        var assignmentPart: [UInt8] = []
        for a in 0..<assignmentCount {
            let status = assignmentStatus[a]
            let answered = status == .submitted || status == .accepted || status == .rejected
            let id = assignmentName(a)
            // The ASSIGNMENT:link … reward cells, shared by the suite's rows (after task_id).
            assignmentPart.removeAll(keepingCapacity: true)
            assignmentPart.append(contentsOf: Array(id.utf8)); assignmentPart.append(9)
            assignmentPart.append(contentsOf: Array(workerName(assignmentWorker[a]).utf8)); assignmentPart.append(9)
            assignmentPart.append(contentsOf: Array(status.exportName.utf8)); assignmentPart.append(9)
            TolokaTime.append(epoch: epoch, ms: assignmentStart[a], to: &assignmentPart); assignmentPart.append(9)
            if answered { TolokaTime.append(epoch: epoch, ms: assignmentEnd[a], to: &assignmentPart) }
            assignmentPart.append(9)
            if status == .accepted { TolokaTime.append(epoch: epoch, ms: assignmentReview[a], to: &assignmentPart) }
            assignmentPart.append(9)
            if status == .rejected { TolokaTime.append(epoch: epoch, ms: assignmentReview[a], to: &assignmentPart) }
            assignmentPart.append(9)
            if status == .skipped { TolokaTime.append(epoch: epoch, ms: assignmentEnd[a], to: &assignmentPart) }
            assignmentPart.append(9)
            if status == .expired { TolokaTime.append(epoch: epoch, ms: assignmentEnd[a], to: &assignmentPart) }
            assignmentPart.append(9)
            assignmentPart.append(contentsOf: Array(reward.utf8))
            let first = Int(assignmentSlotStart[a])
            for s in first..<first + Int(assignmentSlotCount[a]) {
                let kind = slotKind[s], task = slotTask[s]
                let name = taskName(task, kind: kind)
                out.cell(name); out.tab()
                if answered { out.cell(labelName(slotLabel[s])) }
                out.tab()
                switch kind {
                case 1: out.cell(labelName(goldenLabels[Int(task)]))
                case 2: out.cell(labelName(trainingLabels[Int(task)]))
                default: break
                }
                out.tab()
                if kind == 2 { out.cell("training task"); out.tab(); out.cell("EN") } else { out.tab() }
                out.tab()
                out.cell("https://platform.toloka.ai/task/1/"); out.cell(id); out.tab()
                out.cell(name); out.tab()
                out.bytes.append(contentsOf: assignmentPart)
                out.bytes.append(0x0A)
            }
        }
        return out.bytes
    }
}

/// A TSV being written: cells are plain (the simulator's names and labels have no tabs or newlines).
struct TSVBuffer {
    var bytes: [UInt8] = []
    mutating func cell(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func tab() { bytes.append(9) }
    mutating func row(_ cells: [String]) {
        for (i, c) in cells.enumerated() {
            if i > 0 { bytes.append(9) }
            bytes.append(contentsOf: c.utf8)
        }
        bytes.append(0x0A)
    }
}
