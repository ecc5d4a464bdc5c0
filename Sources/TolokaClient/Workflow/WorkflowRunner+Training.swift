import Foundation
import TallyCore

/// The steps of a workflow with skills, a training pool or Toloka's aggregation, each resumable
/// as the others are: declared skills are looked up by name or created (ids recorded); the
/// training is created with a creation key in its `metadata` (found again after a lost answer),
/// its tasks uploaded in recorded batches, opened, and closed after the main pool; Toloka's
/// aggregation is requested once the download is done and written beside Tally's files.
extension WorkflowRunner {
    /// What Toloka's own aggregation gave, when the workflow asked for it.
    public struct TolokaAggregationOutcome: Sendable {
        /// The aggregation type sent (`DAWID_SKENE`, …).
        public var type: String
        /// The `SOLUTION.AGGREGATE` operation (nil when the request failed).
        public var operationID: String?
        /// The file written (`task`, `label`, `confidence`), nil when the request failed.
        public var path: String?
        /// Real tasks with an aggregated label.
        public var tasks: Int
        /// Why there is no result (the server's error), nil on success.
        public var error: String?
    }

    // MARK: - Skills

    /// Looks up (or creates) every declared skill; returns name → id.
    func ensureSkills() async throws -> [String: String] {
        var ids = state.skills ?? [:]
        for skill in workflow.skills where ids[skill.name] == nil {
            let (found, created) = try await client.skill(named: skill)
            guard let id = found.id else { throw TolokaError(kind: .decoding, message: "the skill '\(skill.name)' has no id") }
            ids[skill.name] = id
            state.skills = ids
            try save()
            emit(.note("skill '\(skill.name)': \(created ? "created" : "found") \(id)"))
        }
        return ids
    }

    // MARK: - Training

    /// The training body for `projectID`.
    func trainingBody(projectID: String) -> Training? {
        guard var t = workflow.training?.training else { return nil }
        t.projectID = projectID
        return t
    }

    /// Creates the training (or adopts the one an interrupted run created); returns its id.
    func ensureTraining(projectID: String) async throws -> String {
        if let id = state.training?.id { return id }
        guard let body = trainingBody(projectID: projectID) else { throw TolokaError.invalidInput("the workflow has no training") }
        if let pending = state.training, let key = pending.key {
            emit(.note("training: a create request was sent at \(pending.requestedAt) without a recorded answer; looking for it"))
            if let found = try await client.trainings(projectID: projectID).first(where: { TolokaAPIClient.carries($0.metadata, key) }), let id = found.id {
                emit(.note("training: adopted \(id), created by the interrupted run"))
                state.training?.id = id
                state.trainingSkillID = found.trainingSkillID
                try save()
                return id
            }
        } else {
            state.training = RunState.Creation(id: nil, requestedAt: now(), key: UUID().uuidString.lowercased())
            try save()
        }
        let created = try await client.createTraining(body, key: state.training?.key)
        guard let id = created.id else { throw TolokaError(kind: .decoding, message: "the created training has no id") }
        state.training?.id = id
        state.trainingSkillID = created.trainingSkillID
        try save()
        emit(.note("training \(id) created\(created.trainingSkillID.map { " (skill \($0))" } ?? "")"))
        return id
    }

    /// Upload batches of the training's tasks.
    var trainingRanges: [Range<Int>] {
        let n = workflow.training?.tasks.count ?? 0
        return stride(from: 0, to: n, by: workflow.batchSize).map { $0..<min($0 + workflow.batchSize, n) }
    }

    /// Uploads the training tasks (known answers, hints) in recorded batches.
    func uploadTrainingTasks(trainingID: String) async throws {
        guard let rows = workflow.training?.tasks else { return }
        try await uploadBatches(poolID: trainingID, order: rows, ranges: trainingRanges, batches: \.trainingBatchList, what: "training tasks") {
            self.workflow.trainingTask($0, trainingID: trainingID)
        }
    }

    /// Opens the training unless it was opened already.
    func ensureTrainingOpen(trainingID: String) async throws {
        if state.trainingOpened == true { return }
        let t = try await client.openTraining(id: trainingID)
        state.trainingOpened = true
        if state.trainingSkillID == nil { state.trainingSkillID = t.trainingSkillID }
        try save()
        emit(.note("training \(trainingID) is \(t.status ?? "?")"))
    }

    /// Closes the training after the main pool closed, when the workflow asks (the default).
    func closeTrainingIfAsked() async throws {
        guard let plan = workflow.training, plan.closeAfterRun, let id = state.training?.id, state.trainingClosed != true else { return }
        let t = try await client.closeTraining(id: id)
        state.trainingClosed = true
        try save()
        emit(.note("training \(id) is \(t.status ?? "?")"))
    }

    /// The main pool with the workflow's skills and training applied: `${skill:NAME}` replaced by
    /// ids, skill filters added, the training requirement set. Unchanged for a workflow without them.
    func applyingSkillsAndTraining(_ pool: Pool, trainingID: String?) throws -> Pool {
        guard !workflow.skills.isEmpty || workflow.training != nil else { return pool }
        let ids = state.skills ?? [:]
        var out = pool
        if !ids.isEmpty {
            let json = Workflow.substitutingSkills(try pool.preservingJSON(), ids)
            out = try Pool.decodePreservingUnknownFields(json)
        }
        out.filter = workflow.filterWithSkills(out.filter, ids: ids)
        if let plan = workflow.training {
            out = out.requiringTraining(trainingID ?? "<training id>", passingSkillValue: plan.passingSkillValue)
        }
        return out
    }

    /// The skill and training requests a run would make from the current state (for `--dry-run`).
    func plannedTrainingRequests(projectID: String) throws -> [HTTPRequest] {
        var out: [HTTPRequest] = []
        let c = client
        for skill in workflow.skills where state.skills?[skill.name] == nil {
            out.append(c.makeRequest("GET", "v1/skills", query: TolokaAPIClient.pageQuery(["name": skill.name], afterID: nil, pageSize: c.configuration.pageSize), authorized: false))
            out.append(c.makeRequest("POST", "v1/skills", body: try skill.creationJSON(), authorized: false))
        }
        guard let plan = workflow.training, var body = trainingBody(projectID: projectID) else { return out }
        let trainingID = state.training?.id ?? "<training id>"
        if state.training?.id == nil {
            body.metadata = TolokaAPIClient.adding(state.training?.key ?? "<new key>", to: body.metadata)
            out.append(c.makeRequest("POST", "v1/trainings", body: try body.creationJSON(), authorized: false))
        }
        let done = state.trainingBatches ?? []
        for (k, r) in trainingRanges.enumerated() where !(k < done.count && done[k].status == "done") {
            let op = k < done.count ? done[k].operationID : "<new uuid>"
            let tasks = TolokaAPIClient.taskBatchBody(try plan.tasks[r].map { try workflow.trainingTask($0, trainingID: trainingID).preservingJSON() })
            out.append(c.makeRequest("POST", "v1/tasks", query: ["operation_id": op, "async_mode": "true", "allow_defaults": "true"], body: tasks, authorized: false))
            out.append(c.makeRequest("GET", "v1/operations/\(op)", authorized: false))
        }
        if state.trainingOpened != true { out.append(c.makeRequest("POST", "v1/trainings/\(trainingID)/open", authorized: false)) }
        return out
    }

    // MARK: - Toloka's aggregation

    /// Asks Toloka to aggregate the main pool, reads the solutions and writes
    /// ``Workflow/tolokaAggregationFile`` (real tasks named as in `answers.tsv`). A failure is
    /// reported in the outcome, not thrown: Tally's own outputs stand without it, and a rerun tries again.
    func fetchTolokaAggregation(poolID: String) async -> TolokaAggregationOutcome? {
        guard let plan = workflow.tolokaAggregation else { return nil }
        let path = (outDir as NSString).appendingPathComponent(Workflow.tolokaAggregationFile)
        if let done = state.tolokaAggregation, FileManager.default.fileExists(atPath: path) {
            return TolokaAggregationOutcome(type: done.type, operationID: done.operationID, path: path, tasks: done.count)
        }
        do {
            var weight: String?
            if let name = plan.answerWeightSkill { weight = state.skills?[name] }
            let op = try await client.aggregateByPool(AggregationRequest(type: plan.type, poolID: poolID, fields: [plan.field], answerWeightSkillID: weight))
            let solutions = try await client.aggregatedSolutions(operationID: op.id)
            var tasks: [String: TolokaTask] = [:]
            for t in try await client.tasks(poolID: poolID) { if let id = t.id { tasks[id] = t } }
            var text = "task\tlabel\tconfidence\n"
            var count = 0
            for s in solutions {
                guard let t = tasks[s.taskID], !t.isGolden, let label = s.outputValues[plan.field]?.cellText else { continue }
                let name = RunOutputs.taskName(t.inputValues, fields: workflow.inputFields)
                text += "\(TSV.cell(name))\t\(TSV.cell(label))\t\(s.confidence.map { String($0) } ?? "")\n"
                count += 1
            }
            try AtomicFile.write(Array(text.utf8), to: path)
            state.tolokaAggregation = RunState.TolokaAggregation(operationID: op.id, type: plan.type, count: count)
            try save()
            emit(.note("Toloka's \(plan.type) aggregation (operation \(op.id)): \(count) tasks written to \(path)"))
            return TolokaAggregationOutcome(type: plan.type, operationID: op.id, path: path, tasks: count)
        } catch {
            let message = (error as? TolokaError).map { "\($0)" } ?? "\(error)"
            emit(.note("Toloka's \(plan.type) aggregation failed: \(message); Tally's outputs are written without it (run again to retry)"))
            return TolokaAggregationOutcome(type: plan.type, operationID: nil, path: nil, tasks: 0, error: message)
        }
    }
}
