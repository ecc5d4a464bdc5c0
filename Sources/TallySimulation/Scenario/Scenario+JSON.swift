import Foundation
import TallyCore
import TallyQualityControl

/// Scenario files (JSON).
///
/// ```
/// {
///   "name": "audio-gender",
///   "labels": ["male", "female"],
///   "tasks": { "count": 100, "prior": [0.5, 0.5], "golden_count": 20, "golden_prior": null,
///              "training_count": 0,
///              "difficulty": {"model": "none" | "glad" (log_beta_mean, log_beta_sd)
///                             | "discrete" (easy, hard, impossible)} },
///   "crowd": { "arrivals_per_hour": 60, "diurnal_amplitude": 0, "peak_hour": 15,
///              "activity": {"distribution": "pareto", "alpha": 1.2, "min": 1, "max": 1000}
///                        | {"distribution": "lognormal", "mu", "sigma", "max"}
///                        | {"distribution": "geometric", "mean", "max"} | {"distribution": "fixed", "suites"},
///              "first_visit_dropout": 0.3, "gap_seconds": 5, "skip_probability": 0, "max_workers": 1000000,
///              "response_time": {"median_seconds_per_task": 5, "sigma": 0.5, "worker_sigma": 0.3},
///              "types": [ {"type": "one_coin", "share": 0.7, "accuracy": 0.9 | {"beta": [28, 3]}},
///                         {"type": "confusion", "share": 0.1, "concentration": 1, "diagonal": 3, "dominant": true},
///                         {"type": "glad", "share": 0.1, "ability": {"normal": [2, 1]}},
///                         {"type": "uniform_spammer", "share": 0.05},
///                         {"type": "fixed_answer", "share": 0.05, "label": "male"},
///                         {"type": "adversarial", "share": 0.01, "strength": 0.8},
///                         {"type": "colluding", "share": 0.05, "group_size": 5, "accuracy": 0.6},
///                         {"type": "golden_detector", "share": 0.02, "detection": 0.9},
///                         {"type": "fast_cheater", "share": 0.02, "speedup": 10} ] },
///   "pool": { a Toloka pool, as toloka-kit sends it: "reward_per_assignment",
///             "assignment_max_duration_seconds", "defaults": {"default_overlap_for_new_tasks": 3},
///             "mixer_config", "quality_control", "auto_accept_solutions", "auto_accept_period_day",
///             "will_expire", "dynamic_overlap_config": {"max_overlap", "min_confidence"} },
///   "simulation": { "start": "2024-01-01T00:00:00", "max_duration_seconds": 2592000,
///                   "fee_rate": 0.3, "fee_minimum": 0.005, "exclude_banned": false,
///                   "good_accuracy": 0.75, "dynamic_overlap_smoothing": 1 }
/// }
/// ```
///
/// A parameter marked as drawable (`accuracy`, `ability`, `strength`, `detection`) is a number or one of
/// `{"beta": [a, b]}`, `{"uniform": [lo, hi]}`, `{"normal": [mean, sd]}`, `{"lognormal": [mu, sigma]}`.
///
/// Unknown keys: in Tally's own sections (everything outside `pool`) an unknown key is an error
/// naming its path, since a misspelt setting would silently fall back to a default. In `pool`, the
/// fields of Toloka's pool object that are not simulated (`project_id`, `filter`, `priority`, …) are
/// kept and written back to pool.json, and any other key is reported in ``Scenario/warnings`` and
/// ignored, so that a pool config from toloka-kit or the API drops in unchanged.
extension Scenario {
    /// Reads a scenario from JSON text.
    /// - Throws: ``ScenarioError`` naming the JSON path and what was expected.
    public static func decode(_ data: Data) throws(ScenarioError) -> Scenario {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: data)
        } catch {
            throw ScenarioError(.invalidJSON, path: "", "not valid JSON (\(describe(error)))")
        }
        var parser = ScenarioParser()
        return try parser.parse(JSONNode(value, path: ""))
    }

    /// Reads a scenario file.
    /// - Throws: ``ScenarioError`` whose ``ScenarioError/file`` is `path`.
    public static func read(path: String) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioError(.unreadable, path: "", "cannot read the file (\(error.localizedDescription))", file: path)
        }
        do {
            return try decode(data)
        } catch {
            var e = error
            e.file = path
            throw e
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let c) = error {
            if let u = c.underlyingError { return "\(u.localizedDescription)" }
            return c.debugDescription
        }
        return "\(error)"
    }

    /// The pool as a Toloka pool object (the JSON `tally qc replay --rules` reads): the simulated
    /// fields as they now are, plus the pool fields kept from the file.
    public func poolJSON() -> Data {
        var o = pool.passthrough
        o["reward_per_assignment"] = .double(pool.rewardPerAssignment)
        o["assignment_max_duration_seconds"] = .int(Int64(pool.assignmentMaxDurationSeconds))
        var defaults: [String: JSONValue] = ["default_overlap_for_new_task_suites": .int(Int64(pool.overlap)), "default_overlap_for_new_tasks": .int(Int64(pool.overlap))]
        if case .object(let d)? = pool.passthrough["defaults"] { for (k, v) in d where defaults[k] == nil { defaults[k] = v } }
        o["defaults"] = .object(defaults)
        o["mixer_config"] = .object(pool.mixer.mixerConfig)
        o["auto_accept_solutions"] = .bool(pool.autoAccept)
        o["auto_accept_period_day"] = .int(Int64(pool.autoAcceptPeriodDays))
        if let d = pool.dynamicOverlap {
            o["dynamic_overlap_config"] = .object(["type": .string("BASIC"), "max_overlap": .int(Int64(d.maxOverlap)), "min_confidence": .double(d.minConfidence)])
        }
        if let w = pool.willExpireSeconds {
            o["will_expire"] = .string(TolokaTime.format(epoch: simulation.startEpochSeconds, ms: Int64((w * 1000).rounded())))
        }
        let qc = (try? JSONValue(parsing: pool.qualityControl.encoded())) ?? .object([:])
        o["quality_control"] = qc
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? e.encode(JSONValue.object(o))) ?? Data("{}".utf8)
    }
}

/// Walks a scenario's JSON.
struct ScenarioParser {
    var warnings: [String] = []

    mutating func parse(_ root: JSONNode) throws(ScenarioError) -> Scenario {
        let o = try root.object(allowed: ["name", "labels", "tasks", "crowd", "pool", "simulation", "description"], warnings: &warnings)
        let name = try root.node(o, "name")?.string() ?? "scenario"
        let labelNodes = try root.require(o, "labels", "an array of at least two label strings").array()
        var labels: [String] = []
        for n in labelNodes {
            let s = try n.string()
            guard !s.isEmpty, !s.contains("\t"), !s.contains("\n") else { throw n.fail(.invalidValue, nil, "expected a non-empty label without tabs or newlines") }
            guard !labels.contains(s) else { throw n.fail(.invalidValue, nil, "duplicate label \"\(s)\"") }
            labels.append(s)
        }
        guard labels.count >= 2 else { throw root.fail(.invalidValue, "labels", "expected at least two labels, got \(labels.count)") }
        let simulation = try parseSimulation(root.node(o, "simulation"))
        let tasks = try parseTasks(root.require(o, "tasks", "an object with count, golden_count, …"), labels: labels)
        let crowd = try parseCrowd(root.require(o, "crowd", "an object with arrivals_per_hour and types"), labels: labels)
        let pool = try parsePool(root.require(o, "pool", "a Toloka pool object"), start: simulation.startEpochSeconds)
        var s = Scenario(name: name, labels: labels, tasks: tasks, crowd: crowd, pool: pool, simulation: simulation)
        try s.validate()
        s.warnings = warnings
        return s
    }

    func prior(_ n: JSONNode, _ k: Int) throws(ScenarioError) -> [Double] {
        let a = try n.array()
        guard a.count == k else { throw n.fail(.invalidValue, nil, "expected \(k) numbers (one per label), got \(a.count)") }
        var p: [Double] = []
        for x in a { p.append(try x.double(in: 0...Double.greatestFiniteMagnitude, "a non-negative number")) }
        let s = p.reduce(0, +)
        guard s > 0 else { throw n.fail(.invalidValue, nil, "expected weights with a positive sum") }
        return p.map { $0 / s }
    }

    func distribution(_ n: JSONNode, in range: ClosedRange<Double>? = nil) throws(ScenarioError) -> ParameterDistribution {
        if n.number != nil { return .fixed(try n.double(in: range)) }
        var w: [String] = []
        let o = try n.object(allowed: ["beta", "uniform", "normal", "lognormal"], warnings: &w)
        guard o.count == 1, let (key, value) = o.first else {
            throw n.fail(.invalidValue, nil, "expected a number or an object with one of beta, uniform, normal, lognormal")
        }
        let a = try JSONNode(value, path: n.child(key)).array()
        guard a.count == 2 else { throw JSONNode(value, path: n.child(key)).fail(.invalidValue, nil, "expected two numbers, got \(a.count)") }
        let x = try a[0].double(), y = try a[1].double()
        switch key {
        case "beta":
            guard x > 0, y > 0 else { throw a[0].fail(.invalidValue, nil, "expected positive beta parameters") }
            return .beta(x, y)
        case "uniform":
            guard x <= y else { throw a[1].fail(.invalidValue, nil, "expected the upper bound at least the lower bound") }
            if let range, !range.contains(x) || !range.contains(y) { throw a[0].fail(.invalidValue, nil, "expected bounds from \(scenarioNumber(range.lowerBound)) to \(scenarioNumber(range.upperBound))") }
            return .uniform(x, y)
        case "normal":
            guard y >= 0 else { throw a[1].fail(.invalidValue, nil, "expected a non-negative standard deviation") }
            return .normal(mean: x, sd: y)
        default:
            guard y >= 0 else { throw a[1].fail(.invalidValue, nil, "expected a non-negative sigma") }
            return .lognormal(mu: x, sigma: y)
        }
    }

    mutating func parseSimulation(_ n: JSONNode?) throws(ScenarioError) -> SimulationSettings {
        var s = SimulationSettings()
        guard let n else { return s }
        let o = try n.object(allowed: ["start", "max_duration_seconds", "fee_rate", "fee_minimum", "exclude_banned", "good_accuracy", "dynamic_overlap_smoothing"], warnings: &warnings)
        if let x = n.node(o, "start") {
            let text = try x.string()
            guard let t = TolokaTime.parse(text, accepting: .dateOnly), t == t.rounded() else { throw x.fail(.invalidValue, nil, "expected a UTC time such as 2024-01-01T00:00:00 (whole seconds), got \"\(text)\"") }
            s.startEpochSeconds = Int64(t)
        }
        if let x = n.node(o, "max_duration_seconds") { s.maxDurationSeconds = try x.double(in: 1...1e10, "seconds") }
        if let x = n.node(o, "fee_rate") { s.feeRate = try x.double(in: 0...10, "a share of the reward") }
        if let x = n.node(o, "fee_minimum") { s.feeMinimum = try x.double(in: 0...1000, "USD") }
        if let x = n.node(o, "exclude_banned") { s.excludeBanned = try x.bool() }
        if let x = n.node(o, "good_accuracy") { s.goodAccuracy = try x.double(in: 0...1, "an accuracy") }
        if let x = n.node(o, "dynamic_overlap_smoothing") { s.dynamicOverlapSmoothing = try x.double(in: 0.5...1e6, "a smoothing constant") }
        return s
    }

    mutating func parseTasks(_ n: JSONNode, labels: [String]) throws(ScenarioError) -> TaskSettings {
        let o = try n.object(allowed: ["count", "prior", "golden_count", "golden_prior", "training_count", "difficulty"], warnings: &warnings)
        var t = TaskSettings(count: try n.require(o, "count", "the number of general tasks").int(in: 1...100_000_000))
        if let x = n.node(o, "prior") { t.prior = try prior(x, labels.count) }
        if let x = n.node(o, "golden_count") { t.goldenCount = try x.int(in: 0...10_000_000) }
        if let x = n.node(o, "golden_prior") { t.goldenPrior = try prior(x, labels.count) }
        if let x = n.node(o, "training_count") { t.trainingCount = try x.int(in: 0...10_000_000) }
        if let d = n.node(o, "difficulty") {
            var w: [String] = []
            let model = try d.require(try d.object(allowed: ["model", "log_beta_mean", "log_beta_sd", "easy", "hard", "impossible"], warnings: &w), "model", "none, glad or discrete").choice(["none", "glad", "discrete"])
            let p = try d.object(allowed: ["model", "log_beta_mean", "log_beta_sd", "easy", "hard", "impossible"], warnings: &w)
            switch model {
            case "glad":
                t.difficulty = .glad(logBetaMean: try d.node(p, "log_beta_mean")?.double() ?? 0, logBetaSD: try d.node(p, "log_beta_sd")?.double(in: 0...100) ?? 0.5)
            case "discrete":
                let e = try d.node(p, "easy")?.double(in: 0...1) ?? 0, h = try d.node(p, "hard")?.double(in: 0...1) ?? 1, i = try d.node(p, "impossible")?.double(in: 0...1) ?? 0
                guard e + h + i > 0 else { throw d.fail(.invalidValue, nil, "expected easy + hard + impossible > 0") }
                let s = e + h + i
                t.difficulty = .discrete(easy: e / s, hard: h / s, impossible: i / s)
            default:
                t.difficulty = .none
            }
        }
        return t
    }

    mutating func parseCrowd(_ n: JSONNode, labels: [String]) throws(ScenarioError) -> CrowdSettings {
        let o = try n.object(allowed: ["arrivals_per_hour", "diurnal_amplitude", "peak_hour", "activity", "first_visit_dropout", "response_time", "gap_seconds", "skip_probability", "max_workers", "types"], warnings: &warnings)
        var types: [WorkerType] = []
        let typeNodes = try n.require(o, "types", "an array of worker types").array()
        guard !typeNodes.isEmpty else { throw n.fail(.invalidValue, "types", "expected at least one worker type") }
        for t in typeNodes { types.append(try parseType(t, labels: labels)) }
        guard types.map(\.share).reduce(0, +) > 0 else { throw n.fail(.invalidValue, "types", "expected shares with a positive sum") }
        var c = CrowdSettings(arrivalsPerHour: try n.require(o, "arrivals_per_hour", "the mean number of new workers per hour").double(in: 1e-6...1e9, "a rate"), types: types)
        if let x = n.node(o, "diurnal_amplitude") { c.diurnalAmplitude = try x.double(in: 0...1, "an amplitude") }
        if let x = n.node(o, "peak_hour") { c.peakHour = try x.double(in: 0...24, "an hour") }
        if let x = n.node(o, "first_visit_dropout") { c.firstVisitDropout = try x.double(in: 0...1, "a probability") }
        if let x = n.node(o, "gap_seconds") { c.gapSeconds = try x.double(in: 0...1e7, "seconds") }
        if let x = n.node(o, "skip_probability") { c.skipProbability = try x.double(in: 0...1, "a probability") }
        if let x = n.node(o, "max_workers") { c.maxWorkers = try x.int(in: 1...100_000_000) }
        if let r = n.node(o, "response_time") {
            let p = try r.object(allowed: ["median_seconds_per_task", "sigma", "worker_sigma"], warnings: &warnings)
            if let x = r.node(p, "median_seconds_per_task") { c.medianSecondsPerTask = try x.double(in: 0.001...1e6, "seconds") }
            if let x = r.node(p, "sigma") { c.responseSigma = try x.double(in: 0...10, "a lognormal sigma") }
            if let x = r.node(p, "worker_sigma") { c.workerSigma = try x.double(in: 0...10, "a lognormal sigma") }
        }
        if let a = n.node(o, "activity") {
            let p = try a.object(allowed: ["distribution", "alpha", "min", "max", "mu", "sigma", "mean", "suites"], warnings: &warnings)
            let kind = try a.require(p, "distribution", "pareto, lognormal, geometric or fixed").choice(["pareto", "lognormal", "geometric", "fixed"])
            let maximum = try a.node(p, "max")?.int(in: 1...100_000_000) ?? 1000
            switch kind {
            case "pareto":
                c.activity = .pareto(alpha: try a.node(p, "alpha")?.double(in: 0.01...100, "a tail index") ?? 1.2, minimum: try a.node(p, "min")?.double(in: 1...1e6, "suites") ?? 1, maximum: maximum)
            case "lognormal":
                c.activity = .lognormal(mu: try a.require(p, "mu", "a number").double(), sigma: try a.require(p, "sigma", "a number").double(in: 0...10), maximum: maximum)
            case "geometric":
                c.activity = .geometric(mean: try a.require(p, "mean", "a mean number of suites").double(in: 1...1e7), maximum: maximum)
            default:
                c.activity = .fixed(try a.require(p, "suites", "a number of suites").int(in: 1...100_000_000))
            }
        }
        return c
    }

    mutating func parseType(_ n: JSONNode, labels: [String]) throws(ScenarioError) -> WorkerType {
        let common = ["type", "share", "name", "speedup"]
        var w: [String] = []
        let kind = try n.require(try n.object(allowed: common + ["accuracy", "concentration", "diagonal", "dominant", "ability", "label", "strength", "group_size", "detection"], warnings: &w), "type", "a worker type").choice(["one_coin", "confusion", "glad", "uniform_spammer", "fixed_answer", "adversarial", "colluding", "golden_detector", "fast_cheater"])
        let extra: [String]
        switch kind {
        case "one_coin": extra = ["accuracy"]
        case "confusion": extra = ["concentration", "diagonal", "dominant"]
        case "glad": extra = ["ability"]
        case "fixed_answer": extra = ["label"]
        case "adversarial": extra = ["strength"]
        case "colluding": extra = ["group_size", "accuracy"]
        case "golden_detector": extra = ["detection"]
        default: extra = []
        }
        let o = try n.object(allowed: common + extra, warnings: &warnings)
        let share = try n.require(o, "share", "a non-negative share of arrivals").double(in: 0...1e9, "a share")
        let model: WorkerType.Model
        switch kind {
        case "one_coin": model = .oneCoin(accuracy: try distribution(n.require(o, "accuracy", "a probability or a distribution"), in: 0...1))
        case "confusion":
            model = .confusion(concentration: try n.node(o, "concentration")?.double(in: 1e-3...1e6, "a positive concentration") ?? 1,
                               diagonal: try n.node(o, "diagonal")?.double(in: 0...1e6, "a non-negative number") ?? 0,
                               dominant: try n.node(o, "dominant")?.bool() ?? true)
        case "glad": model = .glad(ability: try distribution(n.require(o, "ability", "a number or a distribution")))
        case "uniform_spammer": model = .uniformSpammer
        case "fixed_answer":
            var label: Int?
            if let l = n.node(o, "label") {
                let s = try l.string()
                guard let i = labels.firstIndex(of: s) else { throw l.fail(.invalidValue, nil, "expected one of the labels \(labels.joined(separator: ", ")), got \"\(s)\"") }
                label = i
            }
            model = .fixedAnswer(label: label)
        case "adversarial": model = .adversarial(strength: try distribution(n.node(o, "strength") ?? JSONNode(.double(1), path: n.child("strength")), in: 0...1))
        case "colluding":
            model = .colluding(groupSize: try n.node(o, "group_size")?.int(in: 1...1_000_000) ?? 5,
                               accuracy: try distribution(n.require(o, "accuracy", "the group's accuracy"), in: 0...1))
        case "golden_detector": model = .goldenDetector(detection: try distribution(n.node(o, "detection") ?? JSONNode(.double(1), path: n.child("detection")), in: 0...1))
        default: model = .fastCheater
        }
        let speedup = try n.node(o, "speedup")?.double(in: 0.001...1e6, "a positive speed-up")
        return WorkerType(name: try n.node(o, "name")?.string(), share: share, model, speedup: speedup)
    }

    static let tolokaPoolFields = ["project_id", "private_name", "may_contain_adult_content", "public_description", "private_comment", "public_instructions",
                                   "auto_close_after_complete_delay_seconds", "assignments_issuing_config", "priority", "filter", "dynamic_pricing_config",
                                   "speed_quality_balance", "training_config", "metadata", "owner", "id", "status", "created", "last_started", "last_stopped",
                                   "last_close_reason", "type"]

    mutating func parsePool(_ n: JSONNode, start: Int64) throws(ScenarioError) -> PoolSettings {
        let simulated = ["reward_per_assignment", "assignment_max_duration_seconds", "defaults", "mixer_config", "quality_control", "auto_accept_solutions", "auto_accept_period_day", "will_expire", "dynamic_overlap_config"]
        let o = try n.object(allowed: simulated + Self.tolokaPoolFields, strict: false, warnings: &warnings)
        let reward = try n.require(o, "reward_per_assignment", "the reward per suite in USD").double(in: 0...1000, "USD")
        let duration = try n.require(o, "assignment_max_duration_seconds", "seconds a Toloker has for one suite").int(in: 5...Int(Int32.max))
        let d = try n.require(o, "defaults", "an object with default_overlap_for_new_tasks")
        let dob = try d.object(allowed: ["default_overlap_for_new_tasks", "default_overlap_for_new_task_suites"], strict: false, warnings: &warnings)
        guard let overlapNode = d.node(dob, "default_overlap_for_new_tasks") ?? d.node(dob, "default_overlap_for_new_task_suites") else {
            throw d.fail(.missingField, "default_overlap_for_new_tasks", "missing; expected the overlap (1…30000)")
        }
        let overlap = try overlapNode.int(in: 1...30000)
        let m = try n.require(o, "mixer_config", "an object with real_tasks_count, golden_tasks_count, training_tasks_count")
        let mo = try m.object(allowed: Mixer.keys + ["min_golden_tasks_count", "min_training_tasks_count", "force_last_assignment_delay_seconds", "golden_task_distribution_function", "training_task_distribution_function"], warnings: &warnings)
        for k in ["min_golden_tasks_count", "min_training_tasks_count", "force_last_assignment_delay_seconds", "golden_task_distribution_function", "training_task_distribution_function"] where mo[k] != nil {
            warnings.append("\(m.child(k)): ignored (not simulated)")
        }
        // Check types and ranges here (errors name the field); ``Mixer/init(mixerConfig:)`` then reads the values.
        _ = try m.require(mo, "real_tasks_count", "an integer 1…500").int(in: 1...500)
        _ = try m.require(mo, "golden_tasks_count", "an integer 0…500").int(in: 0...500)
        _ = try m.require(mo, "training_tasks_count", "an integer 0…500").int(in: 0...500)
        if let x = m.node(mo, "min_real_tasks_count") { _ = try x.int(in: 0...500) }
        for key in ["force_last_assignment", "mix_tasks_in_creation_order", "shuffle_tasks_in_task_suite"] {
            if let x = m.node(mo, key) { _ = try x.bool() }
        }
        let mixer = Mixer(mixerConfig: mo)
        guard mixer.realTasksCount + mixer.goldenTasksCount + mixer.trainingTasksCount <= 64 else {
            throw m.fail(.invalidValue, nil, "expected at most 64 tasks per suite (the simulator's limit), got \(mixer.realTasksCount + mixer.goldenTasksCount + mixer.trainingTasksCount)")
        }

        var qc = QualityControl(configs: [])
        if o["quality_control"] != nil {
            do {
                qc = try QualityControl.decode(JSONValue.object(["quality_control": o["quality_control"]!]).serializedData())
            } catch {
                throw ScenarioError(.invalidValue, path: n.child(error.path), error.message)
            }
            do {
                _ = try QualityControlEngine(qc, ignoringUnsupported: true)
            } catch {
                throw ScenarioError(.invalidValue, path: n.child("quality_control." + error.path), error.message)
            }
            for (i, c) in qc.configs.enumerated() where !c.collector.kind.isEmulated {
                if c.collector.kind == .usersAssessment, c.rules.allSatisfy({ if case .changeOverlap = $0.action { return true } else { return false } }) { continue }
                warnings.append("\(n.child("quality_control.configs[\(i)]")): \(c.collector.kind.rawValue) is not simulated; ignored")
            }
        }
        var pool = PoolSettings(rewardPerAssignment: reward, assignmentMaxDurationSeconds: duration, overlap: overlap, mixer: mixer, qualityControl: qc)
        if let x = n.node(o, "auto_accept_solutions") { pool.autoAccept = try x.bool() }
        if let x = n.node(o, "auto_accept_period_day") { pool.autoAcceptPeriodDays = try x.int(in: 1...21) }
        if let x = n.node(o, "will_expire") {
            let text = try x.string()
            guard let t = TolokaTime.parse(text, accepting: .dateOnly) else { throw x.fail(.invalidValue, nil, "expected a time such as 2024-01-31T00:00:00, got \"\(text)\"") }
            guard t > Double(start) else { throw x.fail(.invalidValue, nil, "expected a time after simulation.start") }
            pool.willExpireSeconds = t - Double(start)
        }
        if let dn = n.node(o, "dynamic_overlap_config") {
            let p = try dn.object(allowed: ["type", "max_overlap", "min_confidence", "answer_weight_skill_id", "fields"], warnings: &warnings)
            let maxOverlap = try dn.require(p, "max_overlap", "the largest overlap").int(in: 1...30000)
            guard maxOverlap >= overlap else { throw dn.fail(.invalidValue, "max_overlap", "expected at least defaults.default_overlap_for_new_tasks (\(overlap)), got \(maxOverlap)") }
            pool.dynamicOverlap = .init(maxOverlap: maxOverlap, minConfidence: try dn.require(p, "min_confidence", "the confidence 0…1").double(in: 0...1, "a confidence"))
        }
        for k in Self.tolokaPoolFields { if let v = o[k] { pool.passthrough[k] = v } }
        if case .object(let dd) = d.value { pool.passthrough["defaults"] = .object(dd) }
        return pool
    }
}

extension Scenario {
    /// Checks the parts that depend on each other (also after a study changed a field).
    /// - Throws: ``ScenarioError`` naming the field.
    public func validate() throws(ScenarioError) {
        let m = pool.mixer
        if m.goldenTasksCount > 0, tasks.goldenCount < m.goldenTasksCount {
            throw ScenarioError(.invalidValue, path: "tasks.golden_count", "expected at least pool.mixer_config.golden_tasks_count (\(m.goldenTasksCount)) control tasks, got \(tasks.goldenCount)")
        }
        if m.trainingTasksCount > 0, tasks.trainingCount < m.trainingTasksCount {
            throw ScenarioError(.invalidValue, path: "tasks.training_count", "expected at least pool.mixer_config.training_tasks_count (\(m.trainingTasksCount)) training tasks, got \(tasks.trainingCount)")
        }
        if let min = m.minRealTasksCount, min > m.realTasksCount {
            throw ScenarioError(.invalidValue, path: "pool.mixer_config.min_real_tasks_count", "expected at most real_tasks_count (\(m.realTasksCount)), got \(min)")
        }
        if m.realTasksCount + m.goldenTasksCount + m.trainingTasksCount > 64 {
            throw ScenarioError(.invalidValue, path: "pool.mixer_config", "expected at most 64 tasks per suite")
        }
        if let d = pool.dynamicOverlap, d.maxOverlap < pool.overlap {
            throw ScenarioError(.invalidValue, path: "pool.dynamic_overlap_config.max_overlap", "expected at least the overlap (\(pool.overlap)), got \(d.maxOverlap)")
        }
        for (i, t) in crowd.types.enumerated() {
            if case .fixedAnswer(let l?) = t.model, l >= labels.count {
                throw ScenarioError(.invalidValue, path: "crowd.types[\(i)].label", "expected a label index below \(labels.count)")
            }
        }
        if let p = tasks.prior, p.count != labels.count { throw ScenarioError(.invalidValue, path: "tasks.prior", "expected \(labels.count) numbers") }
        if let p = tasks.goldenPrior, p.count != labels.count { throw ScenarioError(.invalidValue, path: "tasks.golden_prior", "expected \(labels.count) numbers") }
    }
}
