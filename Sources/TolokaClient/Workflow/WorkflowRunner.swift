import Foundation
import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a ``Workflow`` against a Toloka API, resumably: create project → create pool → upload
/// tasks in batches → open → wait until the pool closes → download assignments → write them as
/// Toloka's TSV export and crowd-kit answers.
///
/// ```swift
/// let client = TolokaAPIClient(environment: .emulator(port: 8000),
///                              credential: try .environment("TOLOKA_TOKEN"))
/// let runner = try WorkflowRunner(workflow: try Workflow.load("workflow.json"), client: client,
///                                 statePath: "run.json", outDir: "results")
/// runner.onEvent = { if case .note(let line) = $0 { print(line) } }
/// let outcome = try await runner.run()   // rerun the same lines after a crash to resume
/// print(outcome.poolID, outcome.outputs.answers)
/// ```
///
/// Resume algorithm (every step records its intent in the state file *before* the request and
/// its result right after, each write atomic):
/// - project: with an id recorded, reuse it. The create carries a fresh creation key in the
///   project's `metadata`, recorded with the intent. With only the intent recorded (the answer
///   was lost), list the projects created after the largest id that existed before the request
///   and adopt the one with the key; create only if there is none. The client settles a lost
///   answer the same way within one run, before it would send the create again.
/// - pool: the same, among the pools of the run's project.
/// - tasks: a batch is recorded with a fresh `operation_id` before it is sent. A batch found
///   `sending` on resume is settled by `GET /operations/{operation_id}` (the server has it: wait
///   for it), else by listing the pool's tasks and sending only those whose content (inputs and
///   known solutions) is not there yet, under the same `operation_id`.
/// - open: skipped when the pool is open or has been started before (also when the answer to
///   the open request was lost within the run).
/// - wait: with ``timeout`` set, the run stops with `.timeout` once it has run that long; the
///   state is kept, so running again continues the wait.
/// - download: pages (`sort=id`, `id_gt`) are appended to `assignments.jsonl`, fsynced, then
///   the cursor and the file's length are recorded; a resume truncates the file to the recorded
///   length and continues after the recorded id, so no assignment is lost or written twice.
public final class WorkflowRunner: @unchecked Sendable {
    /// What the runner reports while it works.
    public enum Event: Sendable {
        /// A line worth showing the user (created ids, adopted objects, upload progress).
        case note(String)
        /// While waiting: completion percentage and counts from analytics.
        case progress(percent: Double?, submitted: Int?, accepted: Int?, status: String)
        /// Assignments downloaded so far.
        case downloaded(count: Int)
    }

    /// The workflow being run.
    public let workflow: Workflow
    /// The client the requests go through.
    public let client: TolokaAPIClient
    /// The state file recording the run's progress (JSON; created if absent).
    public let statePath: String
    /// The output folder: `assignments.jsonl` and the ``RunOutputs`` files.
    public let outDir: String
    /// Called with each ``Event`` as the run progresses (default nil: nothing reported).
    public var onEvent: (@Sendable (Event) -> Void)?
    /// The statuses of the assignments to download (default: `ACCEPTED` only).
    public var statuses = ["ACCEPTED"]
    /// Seconds between checks of the pool while waiting (default nil: the workflow's
    /// `pollIntervalSeconds`).
    public var pollInterval: Double?
    /// The web UI root for `ASSIGNMENT:link` (default nil: `https://platform.toloka.ai` for
    /// production, the API's host otherwise).
    public var webRoot: String?
    /// Seconds ``run()`` may take before it stops with a `.timeout` ``TolokaError`` (default nil:
    /// no limit). Checked between steps and while waiting for the pool; the state file keeps
    /// what was done, so running again continues.
    public var timeout: Double?

    /// When the current ``run()`` must stop (from ``timeout``).
    private var deadline: Date?

    var state: RunState

    /// A runner that resumes the run recorded in `statePath`, if any. Throws ``TolokaError``
    /// (`.conflict`) when that state belongs to another API root or to a changed workflow or task
    /// list, and (`.invalidInput`) when it cannot be read.
    public init(workflow: Workflow, client: TolokaAPIClient, statePath: String, outDir: String) throws {
        self.workflow = workflow
        self.client = client
        self.statePath = statePath
        self.outDir = outDir
        let root = client.configuration.environment.baseURL.absoluteString
        if let s = try RunState.load(statePath) {
            guard s.apiRoot == root else {
                throw TolokaError(kind: .conflict, message: "\(statePath) belongs to a run against \(s.apiRoot), not \(root); use another --state to start a new run there")
            }
            guard s.workflowFingerprint == workflow.fingerprint else {
                throw TolokaError(kind: .conflict, message: "\(statePath) belongs to a run of a different workflow or task list (they changed since the run started); use another --state to start a new run")
            }
            state = s
        } else {
            state = RunState(apiRoot: root, workflowFingerprint: workflow.fingerprint)
        }
    }

    /// The result of a completed run.
    public struct Outcome: Sendable {
        /// The project's id.
        public var projectID: String
        /// The pool's id.
        public var poolID: String
        /// Why the pool closed (`COMPLETED`, `EXPIRED`, `MANUAL`, …), if the server said.
        public var closeReason: String?
        /// What was written into the output folder.
        public var outputs: RunOutputs.Summary
        /// The training pool's id, when the workflow declares one.
        public var trainingID: String? = nil
        /// Declared skills' ids by name (empty when none are declared).
        public var skillIDs: [String: String] = [:]
        /// Toloka's own aggregation, when the workflow asks for it (`toloka_aggregation`).
        public var tolokaAggregation: TolokaAggregationOutcome? = nil
    }

    /// Runs (or resumes) the workflow to the end of the download and writes the outputs.
    /// Throws ``TolokaError`` for API failures that outlast the retries, for a state that does
    /// not match the server, and for files that cannot be written.
    public func run() async throws -> Outcome {
        deadline = timeout.map { Date().addingTimeInterval($0) }
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        removeStaleTemporaries()
        let me = try await client.requester()
        emit(.note("requester \(me.id)\(me.balance.map { ", balance $\($0)" } ?? "")"))
        let projectID = try await step("creating the project") { try await ensureProject() }
        var skillIDs: [String: String] = [:]
        if !workflow.skills.isEmpty {
            skillIDs = try await step("looking up skills") { try await ensureSkills() }
        }
        var trainingID: String?
        if workflow.training != nil {
            let id = try await step("creating the training") { try await ensureTraining(projectID: projectID) }
            try await step("uploading training tasks") { try await uploadTrainingTasks(trainingID: id) }
            try await step("opening training \(id)") { try await ensureTrainingOpen(trainingID: id) }
            trainingID = id
        }
        let poolID = try await step("creating the pool") { try await ensurePool(projectID: projectID) }
        try await step("uploading tasks") { try await uploadTasks(poolID: poolID) }
        try await step("opening pool \(poolID)") { try await ensureOpen(poolID: poolID) }
        try await waitForClose(poolID: poolID)
        try await closeTrainingIfAsked()
        try await step("downloading assignments") { try await download(poolID: poolID) }
        let summary = try RunOutputs.write(from: jsonlPath, workflow: workflow, poolID: poolID, outDir: outDir, webRoot: resolvedWebRoot)
        if !state.outputsWritten {
            state.outputsWritten = true
            try save()
        }
        let toloka = await fetchTolokaAggregation(poolID: poolID)
        return Outcome(projectID: projectID, poolID: poolID, closeReason: state.closeReason, outputs: summary,
                       trainingID: trainingID, skillIDs: skillIDs, tolokaAggregation: toloka)
    }

    var jsonlPath: String { (outDir as NSString).appendingPathComponent("assignments.jsonl") }

    /// Removes the temporary files that an earlier run, killed while writing the state or an
    /// output, left beside them (``AtomicFile/removeStaleTemporaries(for:)``), so that a resumed
    /// run leaves none behind even when it writes nothing.
    private func removeStaleTemporaries() {
        var paths = [statePath]
        paths += (RunOutputs.fileNames + [Workflow.tolokaAggregationFile]).map { (outDir as NSString).appendingPathComponent($0) }
        for path in paths {
            for removed in AtomicFile.removeStaleTemporaries(for: path) { emit(.note("removed \(removed), left by a run killed while writing")) }
        }
    }

    var resolvedWebRoot: String {
        if let webRoot { return webRoot }
        if case .production = client.configuration.environment { return "https://platform.toloka.ai" }
        var c = URLComponents(url: client.configuration.environment.baseURL, resolvingAgainstBaseURL: false)!
        c.path = ""
        return c.url?.absoluteString ?? ""
    }

    /// Throws `.timeout` when the run is past its ``timeout``; `step` says what it was about to do.
    func checkDeadline(_ step: String) throws {
        guard let deadline, let timeout, Date() >= deadline else { return }
        throw TolokaError(kind: .timeout, message: "the run reached its time limit of \(Self.seconds(timeout)) before \(step); what it did is kept in \(statePath): run the same command again to continue")
    }

    /// Runs one step of ``run()`` if the time limit has not been reached before it (see ``checkDeadline(_:)``).
    func step<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        try checkDeadline(name)
        return try await body()
    }

    private static func seconds(_ s: Double) -> String { s.rounded() == s ? "\(Int(s)) s" : String(format: "%.1f s", s) }

    func emit(_ e: Event) { onEvent?(e) }
    func save() throws { try state.save(statePath) }
    func now() -> String { TolokaDate.format(Date()) }

    // MARK: - Project

    func ensureProject() async throws -> String {
        if let id = state.project?.id { return id }
        if let pending = state.project {
            emit(.note("project: a create request was sent at \(pending.requestedAt) without a recorded answer; looking for it"))
            guard pending.listable != false else {
                throw TolokaError(kind: .conflict, message: "a project may have been created at \(pending.requestedAt), and this server cannot list projects to check; find it and put its id in \"project\".\"id\" of \(statePath), or delete \"project\" there to create a new one")
            }
            let candidates = try await client.projects(afterID: pending.existingMaxID)
            if let found = candidates.first(where: { matches($0, key: pending.key) }), let id = found.id {
                emit(.note("project: adopted \(id), created by the interrupted run"))
                state.project?.id = id
                try save()
                return id
            }
        } else {
            // Record the newest project id before creating, so that a lost answer can be found.
            var maxID: String?
            var listable = true
            do {
                let data = try await client.send("GET", "v1/projects", query: ["sort": "-id", "limit": "1"])
                maxID = (try? JSONValue(parsing: data))?["items"]?[0]?["id"]?.stringValue
            } catch let e as TolokaError where e.kind == .api && (e.status == 404 || e.status == 405 || e.status == 400) {
                listable = false
            }
            state.project = RunState.Creation(id: nil, requestedAt: now(), existingMaxID: maxID, listable: listable,
                                              key: listable ? UUID().uuidString.lowercased() : nil)
            try save()
        }
        let pending = state.project
        let created = try await client.createProject(workflow.project, key: pending?.key, listedAfter: pending?.existingMaxID)
        guard let id = created.id else { throw TolokaError(kind: .decoding, message: "the created project has no id") }
        state.project?.id = id
        try save()
        emit(.note("project \(id) created"))
        return id
    }

    /// Whether `p` is the project this run asked for: it carries the creation `key`, or, for a
    /// state written before creation keys, it has the workflow's names.
    private func matches(_ p: Project, key: String?) -> Bool {
        if let key { return TolokaAPIClient.carries(p.metadata, key) }
        return p.publicName == workflow.project.publicName && p.publicDescription == workflow.project.publicDescription
            && p.privateComment == workflow.project.privateComment && p.status != "ARCHIVED"
    }

    // MARK: - Pool

    func poolBody(projectID: String) throws -> Pool {
        var pool = workflow.pool
        pool.projectID = projectID
        if pool.willExpire == nil, let days = workflow.poolExpiresInDays {
            let base = state.pool.flatMap { TolokaDate.parse($0.requestedAt) } ?? Date()
            pool.willExpire = TolokaDate.format(base.addingTimeInterval(days * 86_400))
        }
        // Skills and training (absent in older workflows: the pool is then sent as before).
        return try applyingSkillsAndTraining(pool, trainingID: state.training?.id)
    }

    func ensurePool(projectID: String) async throws -> String {
        if let id = state.pool?.id { return id }
        if let pending = state.pool {
            emit(.note("pool: a create request was sent at \(pending.requestedAt) without a recorded answer; looking for it"))
            let pools = try await client.pools(projectID: projectID)
            let mine: (Pool) -> Bool = { pool in
                if let key = pending.key { return TolokaAPIClient.carries(pool.metadata, key) }
                return pool.privateName == self.workflow.pool.privateName && pool.status != "ARCHIVED"
            }
            if let found = pools.first(where: mine), let id = found.id {
                emit(.note("pool: adopted \(id), created by the interrupted run"))
                state.pool?.id = id
                try save()
                return id
            }
        } else {
            state.pool = RunState.Creation(id: nil, requestedAt: now(), key: UUID().uuidString.lowercased())
            try save()
        }
        let created = try await client.createPool(try poolBody(projectID: projectID), key: state.pool?.key)
        guard let id = created.id else { throw TolokaError(kind: .decoding, message: "the created pool has no id") }
        state.pool?.id = id
        try save()
        emit(.note("pool \(id) created"))
        return id
    }

    // MARK: - Tasks

    func uploadTasks(poolID: String) async throws {
        try await uploadBatches(poolID: poolID, order: workflow.uploadOrder(), ranges: workflow.batches, batches: \.batches, what: "tasks") {
            self.workflow.task($0, poolID: poolID)
        }
    }

    /// Uploads `order` in `ranges` to `poolID`, recording each batch in `state[keyPath: batches]`
    /// before it is sent and settling an interrupted one on resume (see the type's notes);
    /// `makeTask` builds the task sent for a row, `what` names the list in notes.
    func uploadBatches(poolID: String, order: [Workflow.TaskRow], ranges: [Range<Int>], batches kp: WritableKeyPath<RunState, [RunState.Batch]>,
                       what: String, makeTask: (Workflow.TaskRow) -> TolokaTask) async throws {
        // Present on the server, by content key, minus what recorded batches account for; read
        // only when a batch must be reconciled.
        var unaccounted: [String: Int]?
        for (k, range) in ranges.enumerated() {
            if k < state[keyPath: kp].count, state[keyPath: kp][k].status == "done" { continue }
            let tasks = order[range].map(makeTask)
            if k < state[keyPath: kp].count {
                // Interrupted: does the server know the operation?
                let b = state[keyPath: kp][k]
                guard b.first == range.lowerBound, b.count == range.count else {
                    throw TolokaError(kind: .conflict, message: "\(statePath): batch \(k + 1) covers tasks \(b.first)..<\(b.first + b.count), the workflow now gives \(range); the task list changed")
                }
                do {
                    let op = try await client.operation(id: b.operationID)
                    emit(.note("\(what): batch \(k + 1) was sent before the interruption (operation \(op.status)); waiting for it"))
                    let done = try await client.waitForOperation(op)
                    guard done.succeeded else {
                        throw TolokaError(kind: .operationFailed, code: done.type, message: "task upload operation \(done.id) ended in \(done.status)")
                    }
                    state[keyPath: kp][k].status = "done"
                    state[keyPath: kp][k].created = done.details?["success_count"]?.intValue ?? done.details?["items_count"]?.intValue
                    try save()
                    continue
                } catch let e as TolokaError where e.kind == .api && e.status == 404 {
                    // Not known: reconcile by content before sending again.
                }
                if unaccounted == nil {
                    var present: [String: Int] = [:]
                    for t in try await client.tasks(poolID: poolID) { present[t.contentKey, default: 0] += 1 }
                    for (j, r) in ranges.enumerated() where j < state[keyPath: kp].count && state[keyPath: kp][j].status == "done" {
                        for row in order[r] { present[makeTask(row).contentKey, default: 0] -= 1 }
                    }
                    unaccounted = present
                }
                var missing: [TolokaTask] = []
                for t in tasks {
                    let key = t.contentKey
                    if let n = unaccounted?[key], n > 0 { unaccounted?[key] = n - 1 } else { missing.append(t) }
                }
                emit(.note("\(what): batch \(k + 1): \(tasks.count - missing.count) of \(tasks.count) tasks already on the server; sending \(missing.count)"))
                if !missing.isEmpty {
                    guard let uuid = UUID(uuidString: b.operationID) else { throw TolokaError(kind: .conflict, message: "bad operation id in \(statePath)") }
                    try await client.createTasks(missing, operationID: uuid)
                }
                state[keyPath: kp][k].status = "done"
                state[keyPath: kp][k].created = missing.count
                try save()
                continue
            }
            let uuid = UUID()
            state[keyPath: kp].append(RunState.Batch(first: range.lowerBound, count: range.count, operationID: uuid.uuidString.lowercased(), status: "sending"))
            try save()
            let done = try await client.createTasks(tasks, operationID: uuid)
            state[keyPath: kp][k].status = "done"
            state[keyPath: kp][k].created = done.details?["success_count"]?.intValue ?? done.details?["items_count"]?.intValue ?? tasks.count
            try save()
            emit(.note("\(what): batch \(k + 1) of \(ranges.count) uploaded (\(range.upperBound) of \(order.count) tasks)"))
        }
    }

    // MARK: - Open and wait

    func ensureOpen(poolID: String) async throws {
        if state.opened { return }
        if state.openRequested {
            let pool = try await client.pool(id: poolID)
            if pool.isOpen || pool.lastStarted != nil {
                state.opened = true
                try save()
                return
            }
        }
        state.openRequested = true
        try save()
        // The run's pool was never started before this request (the resume check above), so a
        // `last_started` seen after a lost answer is this request's.
        let pool = try await client.openPool(id: poolID, lastStarted: nil)
        state.opened = true
        try save()
        emit(.note("pool \(poolID) is \(pool.status ?? "?")"))
    }

    func waitForClose(poolID: String) async throws {
        if state.poolStatus != nil { return }
        let interval = pollInterval ?? workflow.pollIntervalSeconds
        while true {
            try checkDeadline("pool \(poolID) closed")
            let pool = try await client.pool(id: poolID)
            if pool.isClosed || pool.status == "ARCHIVED" {
                state.poolStatus = pool.status
                state.closeReason = pool.lastCloseReason
                try save()
                emit(.note("pool \(poolID) closed (\(pool.lastCloseReason ?? "no reason given"))"))
                return
            }
            do {
                let r = try await client.analytics([
                    .completionPercentage(pool: poolID),
                    AnalyticsRequest(subjectID: poolID, name: "submitted_assignments_count"),
                    AnalyticsRequest(subjectID: poolID, name: "approved_assignments_count"),
                ])
                emit(.progress(percent: r.number("completion_percentage"), submitted: r.number("submitted_assignments_count").map { Int($0) },
                               accepted: r.number("approved_assignments_count").map { Int($0) }, status: pool.status ?? "?"))
            } catch let e as TolokaError where e.kind != .transport {
                // Analytics are for the progress bar only.
                emit(.progress(percent: nil, submitted: nil, accepted: nil, status: pool.status ?? "?"))
                _ = e
            }
            try await client.configuration.sleep(min(interval, max(0, deadline?.timeIntervalSinceNow ?? interval)))
        }
    }

    // MARK: - Download

    func download(poolID: String) async throws {
        var d = state.download ?? RunState.Download(statuses: statuses, afterID: nil, count: 0, bytes: 0, done: false)
        if d.done { return }
        let path = jsonlPath
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw TolokaError.invalidInput("\(path): cannot open for writing") }
        defer { close(fd) }
        // Drop anything written after the last recorded page.
        guard ftruncate(fd, off_t(d.bytes)) == 0, lseek(fd, off_t(d.bytes), SEEK_SET) >= 0 else {
            throw TolokaError.invalidInput("\(path): cannot truncate to \(d.bytes) bytes")
        }
        if state.download == nil {
            state.download = d
            try save()
        }
        try await client.forEachAssignmentPage(poolID: poolID, statuses: d.statuses, afterID: d.afterID) { page in
            guard let last = page.last else { return }
            var bytes: [UInt8] = []
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for a in page {
                bytes += Array(try e.encode(a))
                bytes.append(10)
            }
            try bytes.withUnsafeBytes { buf in
                var done = 0
                while done < buf.count {
                    let n = write(fd, buf.baseAddress! + done, buf.count - done)
                    if n < 0 { if errno == EINTR { continue }; throw TolokaError.invalidInput("\(path): write failed: \(String(cString: strerror(errno)))") }
                    done += n
                }
            }
            guard fsync(fd) == 0 else { throw TolokaError.invalidInput("\(path): fsync failed") }
            d.afterID = last.id
            d.count += page.count
            d.bytes += bytes.count
            state.download = d
            try save()
            emit(.downloaded(count: d.count))
        }
        d.done = true
        state.download = d
        try save()
        emit(.note("downloaded \(d.count) \(d.statuses.joined(separator: ", ").lowercased()) assignments"))
    }

    // MARK: - Dry run

    /// The requests a run would make from the current state, without sending any (and without
    /// the credential): for `--dry-run`. Ids not known yet appear as `<project id>`, `<pool id>`.
    public func plannedRequests() throws -> [HTTPRequest] {
        var out: [HTTPRequest] = []
        let c = client
        out.append(c.makeRequest("GET", "v1/requester", authorized: false))
        let projectID = state.project?.id ?? "<project id>"
        if state.project?.id == nil {
            out.append(c.makeRequest("GET", "v1/projects", query: ["sort": "-id", "limit": "1"], authorized: false))
            var project = workflow.project
            project.metadata = TolokaAPIClient.adding(state.project?.key ?? "<new key>", to: project.metadata)
            out.append(c.makeRequest("POST", "v1/projects", body: try project.creationJSON(), authorized: false))
        }
        out += try plannedTrainingRequests(projectID: projectID)
        let poolID = state.pool?.id ?? "<pool id>"
        if state.pool?.id == nil {
            var pool = try poolBody(projectID: projectID)
            pool.metadata = TolokaAPIClient.adding(state.pool?.key ?? "<new key>", to: pool.metadata)
            out.append(c.makeRequest("POST", "v1/pools", body: try pool.creationJSON(), authorized: false))
        }
        let order = workflow.uploadOrder()
        for (k, r) in workflow.batches.enumerated() where !(k < state.batches.count && state.batches[k].status == "done") {
            let op = k < state.batches.count ? state.batches[k].operationID : "<new uuid>"
            let body = TolokaAPIClient.taskBatchBody(try order[r].map { try workflow.task($0, poolID: poolID).preservingJSON() })
            out.append(c.makeRequest("POST", "v1/tasks", query: ["operation_id": op, "async_mode": "true", "allow_defaults": "true"], body: body, authorized: false))
            out.append(c.makeRequest("GET", "v1/operations/\(op)", authorized: false))
        }
        if !state.opened { out.append(c.makeRequest("POST", "v1/pools/\(poolID)/open", authorized: false)) }
        if state.poolStatus == nil {
            out.append(c.makeRequest("GET", "v1/pools/\(poolID)", authorized: false))
            out.append(c.makeRequest("POST", "staging/analytics-2", body: try JSONValue(encoding: [AnalyticsRequest.completionPercentage(pool: poolID)]), authorized: false))
        }
        if state.download?.done != true {
            let q = TolokaAPIClient.pageQuery(["pool_id": poolID, "status": statuses.joined(separator: ",")],
                                              afterID: state.download?.afterID, pageSize: c.configuration.pageSize)
            out.append(c.makeRequest("GET", "v1/assignments", query: q, authorized: false))
        }
        return out
    }
}
