import TallyCore
import TallyQualityControl

/// What the pools of one emulator share: the crowd's Tolokers, restrictions (a `PROJECT` or
/// `ALL_PROJECTS` ban reaches other pools), skills set by rules, and the id generators.
struct World {
    let workers: [CrowdWorker]
    var restrictions: [RestrictionRecord] = []
    var restrictionsByWorker: [Int32: [Int]] = [:]
    var nextRestrictionID = 1
    /// Skill id → Toloker → value (set by rules, training and `PUT /api/v1/user-skills`).
    var skills: [String: [Int32: Double]] = [:]
    /// Skill id → Toloker → when the value was first set and last changed.
    var skillTimes: [String: [Int32: (created: Double, modified: Double)]] = [:]
    /// Files Tolokers attached to `file` answers, by id.
    var attachments: [String: AttachmentRecord] = [:]
    var taskIDs: ObjectIDGenerator
    var assignmentIDs: ObjectIDGenerator

    init(workers: [CrowdWorker], seed: UInt64) {
        self.workers = workers
        taskIDs = ObjectIDGenerator(seed: mixSeed(seed, 11))
        assignmentIDs = ObjectIDGenerator(seed: mixSeed(seed, 12))
    }

    func isRestricted(worker: Int32, projectID: Int, poolID: Int, at t: Double) -> Bool {
        guard let list = restrictionsByWorker[worker] else { return false }
        return list.contains { restrictions[$0].applies(worker: worker, projectID: projectID, poolID: poolID, at: t) }
    }

    mutating func addRestriction(worker: Int32, _ r: Restriction, projectID: Int, poolID: Int, at t: Double, end: Double?) {
        restrictionsByWorker[worker, default: []].append(restrictions.count)
        restrictions.append(RestrictionRecord(id: nextRestrictionID, worker: worker, scope: r.scope, projectID: projectID, poolID: poolID,
                                              created: t, end: end.flatMap { $0.isFinite ? $0 : nil }, privateComment: r.privateComment))
        nextRestrictionID += 1
    }

    /// Sets `worker`'s value of skill `id` at `t` (a rule's action, a passed training, a requester's `PUT`).
    mutating func setSkill(_ id: String, worker: Int32, value: Double, at t: Double) {
        skills[id, default: [:]][worker] = value
        let created = skillTimes[id]?[worker]?.created ?? t
        skillTimes[id, default: [:]][worker] = (created, t)
    }

    /// `worker`'s value of skill `id` as it stood at `t`: nil when it was set only later (a pool
    /// simulated ahead of another must not see a skill from the other's future) or never. The
    /// training requirement reads skills this way; *choice*: a pool's `filter` reads the latest
    /// value, whenever it was set (as it always has: pinned by `EmulatorDigestTests`).
    func skill(_ id: String, worker: Int32, at t: Double) -> Double? {
        guard let v = skills[id]?[worker], let times = skillTimes[id]?[worker], times.created <= t else { return nil }
        return v
    }

    /// Whether `worker` passes a pool's `filter` (Toloka's `and`/`or` tree of `category`/`key`/`operator`/`value` conditions).
    ///
    /// *Choice*: the emulated Tolokers have only languages, a client type and skills; `languages`
    /// (IN/NOT_IN), `client_type` (EQ/NE) and skill conditions are evaluated, any other condition holds.
    func matches(_ filter: JSONValue?, worker: Int32) -> Bool {
        guard let filter else { return true }
        if let all = filter["and"]?.arrayValue { return all.allSatisfy { matches($0, worker: worker) } }
        if let any = filter["or"]?.arrayValue { return any.isEmpty || any.contains { matches($0, worker: worker) } }
        let w = workers[Int(worker)]
        let op = filter["operator"]?.stringValue ?? "EQ"
        let key = filter["key"]?.labelText ?? ""
        switch (filter["category"]?.stringValue, key) {
        case ("profile", "languages"):
            let lang = filter["value"]?.stringValue?.uppercased() ?? ""
            let has = w.languages.contains(lang)
            return op == "NOT_IN" ? !has : has
        case ("computed", "client_type"):
            let same = filter["value"]?.stringValue == w.clientType
            return op == "NE" ? !same : same
        case ("skill", _):
            let skill = skills[key]?[worker]
            guard let target = filter["value"]?.doubleValue else {
                return op == "NE" ? skill != nil : skill == nil
            }
            guard let v = skill else { return op == "NE" }
            switch op {
            case "EQ": return v == target
            case "NE": return v != target
            case "GT": return v > target
            case "GTE": return v >= target
            case "LT": return v < target
            case "LTE": return v <= target
            default: return true
            }
        default:
            return true
        }
    }
}
