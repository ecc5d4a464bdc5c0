import Foundation
import TallyCore
import TallyQualityControl
import TallySimulation

/// A pool as stored: the client's JSON, its tasks and assignments as the API shows them, and the
/// `TallySimulation` ``PoolEngine`` that runs its mechanics with the emulator's crowd.
///
/// The mechanics (issuing through the mixer, overlap, submission, expiry, review, the feed into
/// quality control and the actions back, completion, the pool's expiry) are the engine's, with
/// ``PoolEngine/Policy/emulator``; see ``PoolEngine``. What the emulator adds (*choices* marked
/// where Toloka's documented behaviour is silent):
/// * Tolokers come as the crowd says; a Toloker may work in the pool when no rule's restriction of
///   this pool, its project or all projects bars them and they pass the pool's filter.
/// * Tasks may be uploaded while the pool is open. *Choice*: `force_last_assignment_delay_seconds` is not waited; each suite pays the
///   full `reward_per_assignment`.
/// * Answers come from the crowd given each task's hidden truth; a control answer is right when it
///   matches a known solution. Restrictions bar new suites; what was submitted stays (ACCEPTED).
final class PoolRecord {
    let id: Int
    let projectID: Int
    var json: [String: JSONValue]
    let created: Double
    /// Archived by the requester (the API's `ARCHIVED`).
    var archived = false
    /// `OPEN`, `CLOSED` or `ARCHIVED`; setting `ARCHIVED` archives the pool.
    var status: String {
        get { archived ? "ARCHIVED" : engine.isOpen ? "OPEN" : "CLOSED" }
        set { archived = newValue == "ARCHIVED" }
    }
    /// Why the pool last closed.
    var closeReason: PoolCloseReason? { engine.closeReason }
    /// ``closeReason`` as the API writes it.
    var lastCloseReason: String? { closeReason?.rawValue }
    var lastStarted: Double? { engine.lastStarted }
    var lastStopped: Double? { engine.lastStopped }

    var mixer: Mixer? { engine.settings.mixer }
    var defaultOverlap: Int
    var reward: Double
    var filter: JSONValue?
    /// Set when this record is a training (`/api/v1/trainings`, in the pools' id space).
    var training: TrainingSettings?
    /// A main pool's `quality_control.training_requirement`: only Tolokers whose value of the
    /// training's skill reached `passing` get its suites.
    var trainingRequirement: (skillID: String, passing: Double)?
    /// Tolokers who finished this training, with the skill value it gave them (the training's
    /// quality-control log).
    var trainingResults: [(time: Double, worker: Int32, value: Double)] = []
    /// The pool's mechanics.
    private(set) var engine: PoolEngine
    /// The pool's quality control (its actions are the quality-control log).
    var qualityControl: QualityControlEngine { engine.qualityControl }

    var tasks: [TaskRecord] = []
    var taskIndexByID: [String: Int] = [:]
    /// Indices of the general tasks, in upload order.
    var generalTasks: [Int] { engine.generalTasks }
    var assignments: [AssignmentRecord] = []
    var assignmentIndexByID: [String: Int] = [:]

    fileprivate var crowd: any Crowd
    let answerField: String
    fileprivate let outputType: String
    /// The project's output fields other than ``answerField`` with their specs (set when the pool is
    /// created): Tolokers fill them too, with values of the field's type (see ``otherValue(_:_:seed:)``).
    var otherOutputs: [(name: String, spec: JSONValue)] = []
    /// What a `file` answer attaches (set from the project's view when the pool is created).
    var attachmentKind = AttachmentRecord.Kind.png
    /// Whether the answer field is free text: a `string` or `url` output with no declared options
    /// and no control task's known answer. Tolokers then answer a URL of their own (a "found link"
    /// that later pools can take as a `url` input), not a label.
    private(set) var freeText: Bool
    /// The answer options: the project's declared ones, else those seen in known solutions and truths.
    private(set) var options: [String]
    /// Answers the crowd gave, interned for the engine (which only compares them).
    fileprivate var labelIDs: [String: Int32] = [:]

    init(id: Int, projectID: Int, json: [String: JSONValue], created: Double, qualityControl: QualityControlEngine,
         crowd: any Crowd, seed: UInt64, answerField: String, outputType: String, declaredOptions: [String]) {
        self.id = id
        self.projectID = projectID
        self.json = json
        self.created = created
        let defaults = json["defaults"]
        defaultOverlap = defaults?["default_overlap_for_new_tasks"]?.intValue ?? defaults?["default_overlap_for_new_task_suites"]?.intValue ?? 1
        reward = json["reward_per_assignment"]?.doubleValue ?? 0
        filter = json["filter"]
        engine = PoolEngine(settings: Self.settings(json), policy: .emulator, workers: crowd.workers.count, qualityControl: qualityControl, mixingSeed: mixSeed(seed, 1))
        self.crowd = crowd.forPool(seed: seed)
        self.answerField = answerField
        self.outputType = outputType
        freeText = declaredOptions.isEmpty && ["string", "url"].contains(outputType)
        var seen = Set<String>()
        options = declaredOptions.filter { seen.insert($0).inserted }
    }

    /// Replaces the client's JSON (`PUT /pools/{id}`) and what the mechanics read from it; the
    /// quality control too when `qualityControl` is given.
    func update(json: [String: JSONValue], qualityControl: QualityControlEngine?) {
        self.json = json
        let defaults = json["defaults"]
        defaultOverlap = defaults?["default_overlap_for_new_tasks"]?.intValue ?? defaults?["default_overlap_for_new_task_suites"]?.intValue ?? 1
        reward = json["reward_per_assignment"]?.doubleValue ?? 0
        filter = json["filter"]
        let mixer = engine.settings.mixer
        engine.settings = Self.settings(json)
        if engine.settings.mixer == nil { engine.settings.mixer = mixer }  // one task suites gave it (``useSuites(of:)``)
        if let qualityControl { engine.replaceQualityControl(qualityControl) }
    }

    /// Gives a pool with no `mixer_config` one for task suites of `size` tasks, taken together in upload order.
    func useSuites(of size: Int) {
        guard engine.settings.mixer == nil else { return }
        var m = Mixer(real: size, golden: 0)
        m.mixTasksInCreationOrder = true
        m.shuffleTasksInTaskSuite = false
        engine.settings.mixer = m
    }

    static func settings(_ json: [String: JSONValue]) -> PoolEngine.Settings {
        PoolEngine.Settings(
            mixer: json["mixer_config"]?.objectValue.map(Mixer.init(mixerConfig:)),
            autoAccept: json["auto_accept_solutions"]?.boolValue ?? true,
            maxDuration: json["assignment_max_duration_seconds"]?.doubleValue ?? 3600,
            willExpire: json["will_expire"]?.stringValue.flatMap { TolokaTime.parse($0, accepting: [.dateOnly, .iso8601]) },
            autoCloseDelay: json["auto_close_after_complete_delay_seconds"]?.doubleValue ?? 0)
    }

    // MARK: - Tasks

    /// Adds a validated task; returns its index.
    @discardableResult
    func add(_ task: TaskRecord) -> Int {
        let i = engine.addTask(overlap: task.overlap, isControl: task.isControl)
        tasks.append(task)
        taskIndexByID[task.id] = i
        // A control task's known solutions were noted as options before any truth was drawn.
        if !task.isControl { noteOption(task.truth) } else if task.knownSolutions.contains(where: { $0[answerField] != nil }) { freeText = false }
        return i
    }

    /// Tolokers who must never get task `i` (its `unavailable_for`).
    func exclude(_ workers: [Int32], fromTask i: Int) {
        engine.exclude(workers, fromTask: i)
    }

    /// `CHANGE_OVERLAP` changes the rules made after rejections: when, whose suite, the delta.
    var overlapChanges: [(time: Double, worker: Int32, assignment: Int, delta: Int)] { engine.overlapChanges }

    func noteOption(_ label: String) {
        if !options.contains(label) { options.append(label) }
    }

    // MARK: - Lifecycle (the engine's, with this pool and the world as its host)

    func open(at t: Double, world: inout World) {
        withHost(&world) { engine.open(at: t, &$0) }
    }

    /// Closes with a reason given by name (`MANUAL` from `POST /pools/{id}/close`); an unknown name closes as `MANUAL`.
    func close(reason: String, at t: Double, world: inout World) {
        withHost(&world) { engine.close(reason: PoolCloseReason(rawValue: reason) ?? .manual, at: t, &$0) }
    }

    /// Whether events are waiting (the pool is open, or a Toloker is still working on a suite).
    var hasPendingEvents: Bool { engine.hasPendingEvents }

    /// Runs the simulation up to simulated time `target`.
    func advance(to target: Double, world: inout World) {
        withHost(&world) { engine.advance(to: target, &$0) }
    }

    /// Accepts or rejects a SUBMITTED (or, to accept, REJECTED) assignment (`PATCH /assignments/{id}`).
    func review(_ index: Int, accept: Bool, comment: String?, at t: Double, world: inout World) {
        if let comment { assignments[index].publicComment = comment }
        withHost(&world) { engine.review(index, accept: accept, at: t, &$0) }
    }

    /// Σ answers received (capped at the overlap) ÷ Σ overlap over general tasks, as an integer percentage.
    var completionPercentage: Int { engine.completionPercentage }

    /// Runs `body` with this pool and `world` as the engine's host (the world is moved in and back, not copied).
    private func withHost(_ world: inout World, _ body: (inout EmulatorPoolHost) -> Void) {
        var host = EmulatorPoolHost(pool: self, world: World(workers: [], seed: 0))
        swap(&host.world, &world)
        body(&host)
        swap(&host.world, &world)
    }

    /// A value of an output field's type for a field other than the answer field: one of its
    /// `allowed_values`, a URL, a boolean, a number in its range, coordinates, `{}` for JSON, `[]`
    /// for arrays, else a short text; drawn from `seed`.
    static func otherValue(_ name: String, _ spec: JSONValue, seed: UInt64) -> JSONValue {
        if let allowed = spec["allowed_values"]?.arrayValue, !allowed.isEmpty { return allowed[Int(seed % UInt64(allowed.count))] }
        let type = spec["type"]?.stringValue?.lowercased() ?? "string"
        if type.hasPrefix("array_") { return [] }
        switch type {
        case "boolean": return .bool(seed & 1 == 1)
        case "integer":
            let lo = Int64(spec["min_value"]?.doubleValue ?? 0), hi = Int64(spec["max_value"]?.doubleValue ?? 10)
            return .int(lo + Int64(seed % UInt64(max(1, hi - lo + 1))))
        case "float":
            let lo = spec["min_value"]?.doubleValue ?? 0, hi = spec["max_value"]?.doubleValue ?? 1
            return .double(lo + (hi - lo) * Double(seed % 1000) / 1000)
        case "url": return .string("https://example.com/\(name)/\(String(seed, radix: 16))")
        case "coordinates": return .string("55.\(seed % 100_000),37.\(seed / 7 % 100_000)")
        case "json": return [:]
        default: return .string("\(name) \(String(seed % 1_000_000, radix: 36))")
        }
    }

    /// A JSON answer as an image-annotation field writes it: one to three rectangles in relative
    /// coordinates (`{"shape": "rectangle", "left", "top", "width", "height"}`), drawn from `seed`.
    static func annotation(seed: UInt64) -> JSONValue {
        var h = seed
        func next() -> Double {
            h = mixSeed(h, 0x9E37)
            return Double(h % 1000) / 1000
        }
        let count = 1 + Int(mixSeed(seed, 3) % 3)
        return .array((0..<count).map { _ in
            ["shape": "rectangle", "left": .double((next() * 0.6 * 1000).rounded() / 1000), "top": .double((next() * 0.6 * 1000).rounded() / 1000),
             "width": .double(((0.1 + next() * 0.3) * 1000).rounded() / 1000), "height": .double(((0.1 + next() * 0.3) * 1000).rounded() / 1000)]
        })
    }

    fileprivate func outputValue(_ label: String) -> JSONValue {
        switch outputType {
        case "boolean": return .bool(label == "true")
        case "integer": return Int64(label).map(JSONValue.int) ?? .string(label)
        case "float": return Double(label).map(JSONValue.double) ?? .string(label)
        default: return .string(label)
        }
    }
}

/// The emulator's side of a pool's ``PoolEngine``: the crowd, the world's restrictions, filters and
/// skills, and the records the API shows.
struct EmulatorPoolHost: PoolEngineHost {
    unowned let pool: PoolRecord
    var world: World

    mutating func nextArrival(after time: Double) -> (time: Double, worker: Int32) {
        let next = pool.crowd.nextArrival(after: time)
        return (next.time, Int32(next.worker))
    }

    func mayWork(_ worker: Int32, at time: Double) -> Bool {
        if let training = pool.training, world.skill(training.skillID, worker: worker, at: time) != nil { return false }  // done it
        if let required = pool.trainingRequirement, (world.skill(required.skillID, worker: worker, at: time) ?? -1) < required.passing { return false }
        return !world.isRestricted(worker: worker, projectID: pool.projectID, poolID: pool.id, at: time) && world.matches(pool.filter, worker: worker)
    }

    mutating func suiteDuration(worker: Int32, tasks: Int) -> Double {
        pool.crowd.suiteDuration(worker: Int(worker), tasks: tasks)
    }

    mutating func issued(assignment index: Int, worker: Int32, tasks: [Int], at time: Double) {
        let suiteID = world.assignmentIDs.next(pool: pool.id, time: time)
        let a = AssignmentRecord(id: world.assignmentIDs.next(pool: pool.id, time: time), suiteID: suiteID, worker: worker, tasks: tasks,
                                 created: time, reward: pool.reward)
        pool.assignmentIndexByID[a.id] = index
        pool.assignments.append(a)
        for i in tasks { pool.tasks[i].issued += 1 }
    }

    mutating func answers(assignment index: Int, worker: Int32, tasks: [Int]) -> [PoolEngine.Answer] {
        var out: [PoolEngine.Answer] = []
        out.reserveCapacity(tasks.count)
        for i in tasks {
            let task = pool.tasks[i]
            var label = pool.crowd.answer(worker: Int(worker), task: CrowdTask(key: task.key, isControl: task.isControl, truth: task.truth), options: pool.options)
            var output: [String: JSONValue] = task.knownSolutions.first ?? [:]
            if pool.outputType == "file" || pool.outputType == "array_file" {
                let a = pool.assignments[index]
                let id = attachmentID(mixSeed(task.key ^ UInt64(pool.id), UInt64(index) &* 1_000_003 &+ UInt64(i)))
                world.attachments[id] = AttachmentRecord(id: id, kind: pool.attachmentKind, poolID: pool.id, assignmentID: a.id, worker: worker, created: a.created)
                output[pool.answerField] = pool.outputType == "file" ? .string(id) : .array([.string(id)])
                label = id
            } else if pool.outputType == "json", !task.isControl {
                // A JSON answer is an image annotation: the Toloker's own rectangles.
                let value = PoolRecord.annotation(seed: mixSeed(task.key ^ UInt64(pool.id), UInt64(worker) &+ 1))
                output[pool.answerField] = value
                label = value.serialized(numbers: .python)
            } else if pool.freeText, !task.isControl {
                label = "https://example.com/found/\(String(task.key, radix: 16))/\(world.workers[Int(worker)].id.prefix(8))"
                output[pool.answerField] = .string(label)
            } else {
                output[pool.answerField] = pool.outputValue(label)
            }
            for (k, other) in pool.otherOutputs.enumerated() where output[other.name] == nil {
                let seed = mixSeed(task.key ^ UInt64(worker), UInt64(k + 1))
                if other.spec["type"]?.stringValue?.lowercased() == "file" {
                    let id = attachmentID(mixSeed(seed, UInt64(index)))
                    world.attachments[id] = AttachmentRecord(id: id, kind: pool.attachmentKind, poolID: pool.id, assignmentID: pool.assignments[index].id, worker: worker, created: pool.assignments[index].created)
                    output[other.name] = .string(id)
                } else {
                    output[other.name] = PoolRecord.otherValue(other.name, other.spec, seed: seed)
                }
            }
            pool.assignments[index].solutions.append(output)
            let correct = task.isControl && task.knownSolutions.contains { known in known.allSatisfy { output[$0.key] == $0.value } }
            let id: Int32
            if let known = pool.labelIDs[label] {
                id = known
            } else {
                id = Int32(pool.labelIDs.count)
                pool.labelIDs[label] = id
            }
            out.append(PoolEngine.Answer(label: id, correct: correct))
        }
        return out
    }

    /// A UUID-shaped attachment id drawn from `h`.
    func attachmentID(_ h: UInt64) -> String {
        String(format: "%08llx-%04llx-%04llx-%04llx-%012llx", h >> 32, h >> 16 & 0xffff, 0x4000 | h & 0x0fff,
               0x8000 | (h >> 48) & 0x3fff, mixSeed(h, 7) & 0xffff_ffff_ffff)
    }

    mutating func statusChanged(assignment index: Int, to status: AssignmentStatus, at time: Double, comment: String?) {
        pool.assignments[index].state = status
        switch status {
        case .submitted:
            pool.assignments[index].submitted = time
            if let training = pool.training { scoreTraining(training, worker: pool.assignments[index].worker, at: time) }
        case .accepted: pool.assignments[index].accepted = time
        case .rejected: pool.assignments[index].rejected = time
        case .expired:
            pool.assignments[index].expired = time
            for i in pool.assignments[index].tasks { pool.tasks[i].issued -= 1 }
        case .skipped: pool.assignments[index].skipped = time
        case .active: break
        }
        if let comment { pool.assignments[index].publicComment = comment }
    }

    /// After a training suite: once `worker` submitted the suites the training requires, the share
    /// of their answers that matched a known solution (0–100) becomes their value of its skill.
    mutating func scoreTraining(_ training: TrainingSettings, worker: Int32, at time: Double) {
        var suites = 0, right = 0, total = 0
        for a in pool.assignments where a.worker == worker && a.submitted != nil {
            suites += 1
            for (k, i) in a.tasks.enumerated() where k < a.solutions.count {
                total += 1
                let output = a.solutions[k]
                if pool.tasks[i].knownSolutions.contains(where: { known in known.allSatisfy { output[$0.key] == $0.value } }) { right += 1 }
            }
        }
        // A Toloker who has answered every training task has done all the training offers, even
        // when it asks for more suites than its tasks make (text classification: 10 suites of 10 tasks, 10 tasks).
        guard suites >= training.suitesToPass || total >= pool.tasks.count, total > 0, world.skills[training.skillID]?[worker] == nil else { return }
        let value = (Double(right) * 100 / Double(total)).rounded()
        world.setSkill(training.skillID, worker: worker, value: value, at: time)
        pool.trainingResults.append((time, worker, value))
    }

    mutating func overlapChanged(task: Int, to overlap: Int) {
        pool.tasks[task].overlap = overlap
    }

    mutating func pauseBeforeNextSuite(worker: Int32) -> Double? {
        pool.crowd.pauseBeforeNextSuite(worker: Int(worker))
    }

    mutating func perform(_ action: QualityControlAction) {
        switch action.action {
        case .restriction(let r), .legacyRestriction(let r):
            world.addRestriction(worker: action.worker, r, projectID: pool.projectID, poolID: pool.id, at: action.time, end: action.restrictionEnd)
        case .setSkill(let skill, _), .setSkillFromOutputField(let skill, _):
            if let v = action.skillValue { world.setSkill(skill, worker: action.worker, value: v, at: action.time) }
        default:
            break
        }
    }
}

/// What makes a pool record a training: the skill that passing it sets, and how many suites pass it.
struct TrainingSettings {
    /// The skill (created with the training, `training: true`) whose value is the Toloker's share of right answers.
    let skillID: String
    /// `task_suites_required_to_pass`.
    let suitesToPass: Int
}
