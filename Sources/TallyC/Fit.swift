import CTallyABI
import Foundation
import TallyAggregation
import TallyCore

/// A fitted result behind a `tally_result *`: the registry's result and the table's sizes.
final class FitHandle: OpaqueHandle {
    let result: MethodResult
    let tasks: Int, workers: Int, labels: Int
    /// Per Tally label id, the caller's label code.
    let labelOrder: [Int32]

    init(result: MethodResult, table: AnswerTable, labelOrder: [Int32]) {
        self.result = result
        tasks = table.taskCount
        workers = table.workerCount
        labels = table.labelCount
        self.labelOrder = labelOrder
    }
}

/// Turns the options object and the inputs into the registry's parameters and inputs.
enum FitRequest {
    /// Settings that are not method parameters.
    static let settings: Set<String> = ["compat", "threads", "on-missing-skill", "default-skill", "initial-error-strategy"]

    static func parameters(_ options: [String: JSONValue], for method: MethodDescriptor) throws -> MethodParameters {
        var values: [String: ParameterValue] = [:]
        for (name, v) in options where !settings.contains(name) {
            switch v {
            case .int(let i): values[name] = .int(Int(i))
            case .double(let d): values[name] = .double(d)
            case .string(let s): values[name] = .string(s)
            case .bool(let b): values[name] = .flag(b)
            default: throw InputError(.invalidValue, file: "<options>", field: name, "expected a number, a string or a boolean")
            }
        }
        var compatibility = Compatibility.none
        if let c = options["compat"] {
            guard let s = c.stringValue, let v = Compatibility(rawValue: s) else {
                throw InputError(.invalidValue, file: "<options>", field: "compat", "expected \(Compatibility.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            compatibility = v
        }
        var execution = ExecutionSettings()
        if let t = options["threads"] {
            guard case .int(let n) = t, n >= 1 else { throw InputError(.invalidValue, file: "<options>", field: "threads", "expected a positive integer") }
            execution.threads = Int(n)
        }
        return MethodParameters(values, compatibility: compatibility, execution: execution)
    }

    static func inputs(_ options: [String: JSONValue], _ p: UnsafePointer<tally_inputs>?, table: AnswerTable,
                       taskNames: [String], workerNames: [String], labelNames: [String]) throws -> MethodInputs {
        var inputs = MethodInputs()
        if let policy = options["on-missing-skill"] {
            switch policy.stringValue {
            case "error": inputs.onMissingSkill = .error
            case "ignore": inputs.onMissingSkill = .ignore
            case "mean": inputs.onMissingSkill = .mean
            case "value":
                guard let v = options["default-skill"]?.doubleValue else {
                    throw InputError(.invalidValue, file: "<options>", field: "default-skill", "on-missing-skill 'value' needs a numeric default-skill")
                }
                inputs.onMissingSkill = .value(v)
            default: throw InputError(.invalidValue, file: "<options>", field: "on-missing-skill", "expected error, ignore, mean or value")
            }
        }
        guard let p else { return inputs }
        let x = p.pointee
        if x.gold_count > 0 {
            let n = Int(x.gold_count)
            let tasks = try CBridge.column(x.gold_task, n, "gold task"), labels = try CBridge.column(x.gold_label, n, "gold label")
            let names = try CBridge.names(x.gold_labels, "gold label")
            var entries: [GoldLabels.Entry] = []
            entries.reserveCapacity(n)
            for i in 0..<n {
                let t = Int(tasks[i]), l = Int(labels[i])
                guard t >= 0, t < taskNames.count else { throw InputError(.invalidValue, file: "<gold>", field: "task", "gold row \(i): task code \(t) is outside 0..<\(taskNames.count)") }
                guard l >= 0, l < names.count else { throw InputError(.invalidValue, file: "<gold>", field: "label", "gold row \(i): label code \(l) is outside 0..<\(names.count)") }
                entries.append(GoldLabels.Entry(task: taskNames[t], label: names[l]))
            }
            inputs.gold = try GoldLabels(entries, file: "<gold>")
        }
        if x.weight_count > 0 {
            let n = Int(x.weight_count)
            let workers = try CBridge.column(x.weight_worker, n, "weight worker"), values = try CBridge.doubles(x.weight_value, n, "weight")
            var entries: [WorkerSkills.Entry] = []
            for i in 0..<n {
                let w = Int(workers[i])
                guard w >= 0, w < workerNames.count else { throw InputError(.invalidValue, file: "<skills>", field: "worker", "skill row \(i): worker code \(w) is outside 0..<\(workerNames.count)") }
                entries.append(WorkerSkills.Entry(worker: workerNames[w], skill: values[i]))
            }
            inputs.weights = WorkerSkills(entries)
        }
        if x.initial_count > 0 {
            let n = Int(x.initial_count)
            let w = try CBridge.column(x.initial_worker, n, "initial worker"), a = try CBridge.column(x.initial_answer, n, "initial label")
            let t = try CBridge.column(x.initial_truth, n, "initial true label"), v = try CBridge.doubles(x.initial_value, n, "initial value")
            let strategyName = options["initial-error-strategy"]?.stringValue ?? "addition"
            guard let strategy = InitialConfusions.Strategy(rawValue: strategyName) else {
                throw InputError(.invalidValue, file: "<options>", field: "initial-error-strategy", "expected assign or addition, got '\(strategyName)'")
            }
            var entries: [InitialConfusions.Entry] = []
            entries.reserveCapacity(n)
            for i in 0..<n {
                guard w[i] >= 0, Int(w[i]) < workerNames.count, a[i] >= 0, Int(a[i]) < labelNames.count, t[i] >= 0, Int(t[i]) < labelNames.count else {
                    throw InputError(.invalidValue, file: "<initial_error>", "row \(i): a worker or label code is out of range")
                }
                guard v[i].isFinite, v[i] >= 0 else {
                    throw InputError(.invalidValue, file: "<initial_error>", "row \(i): \(v[i]) is not a non-negative number")
                }
                entries.append(InitialConfusions.Entry(worker: workerNames[Int(w[i])], answer: labelNames[Int(a[i])], truth: labelNames[Int(t[i])], value: v[i]))
            }
            inputs.initialConfusions = InitialConfusions(entries, strategy: strategy)
        }
        return inputs
    }
}

/// `TALLY_ABI_VERSION` of this library (see tally.h).
@_cdecl("tally_abi_version")
public func tally_abi_version() -> Int32 { TALLY_ABI_VERSION }

/// Fits a registry method on factorised answers; nil with `errorOut` filled on failure (tally.h: tally_fit).
@_cdecl("tally_fit")
public func tally_fit(_ method: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?, _ answers: UnsafePointer<tally_answers>?,
                      _ inputs: UnsafePointer<tally_inputs>?, _ errorOut: UnsafeMutablePointer<tally_error>?) -> OpaquePointer? {
    CBridge.reporting(errorOut, failure: nil) {
        guard let method else { throw InputError(.invalidValue, file: "<memory>", field: "method", "no method name") }
        guard let answers else { throw InputError(.invalidValue, file: "<memory>", field: "answers", "no answers") }
        let descriptor = try MethodRegistry.method(named: String(cString: method))
        let options = try CBridge.options(optionsJSON)
        let a = answers.pointee
        let n = Int(a.count)
        guard n > 0 else { throw InputError(.noAnswers, file: "<memory>", "no answers") }
        let taskNames = try CBridge.names(a.tasks, "task"), workerNames = try CBridge.names(a.workers, "worker")
        let labelNames = try CBridge.names(a.labels, "label")
        let (table, order) = try AnswerTable.fromCodes(
            task: try CBridge.column(a.task, n, "task"), worker: try CBridge.column(a.worker, n, "worker"),
            label: try CBridge.column(a.label, n, "label"), taskNames: taskNames, workerNames: workerNames, labelNames: labelNames)
        guard descriptor.labelCounts.allows(table.labelCount) else {
            throw AggregationError("\(descriptor.name) handles exactly two labels; the answers hold \(table.labelCount)")
        }
        let parameters = try FitRequest.parameters(options, for: descriptor)
        let methodInputs = try FitRequest.inputs(options, inputs, table: table, taskNames: taskNames, workerNames: workerNames, labelNames: labelNames)
        let result = try descriptor.fit(table, inputs: methodInputs, parameters: parameters)
        return FitHandle(result: result, table: table, labelOrder: order).retainedPointer
    }
}

/// Releases a result from ``tally_fit(_:_:_:_:_:)``.
@_cdecl("tally_result_free")
public func tally_result_free(_ r: OpaquePointer?) {
    FitHandle.release(r)
}

/// The number of tasks `T` of a result.
@_cdecl("tally_result_task_count")
public func tally_result_task_count(_ r: OpaquePointer?) -> Int64 { Int64(FitHandle.from(r)?.tasks ?? 0) }

/// The number of workers `W` of a result.
@_cdecl("tally_result_worker_count")
public func tally_result_worker_count(_ r: OpaquePointer?) -> Int64 { Int64(FitHandle.from(r)?.workers ?? 0) }

/// The number of labels `K` of a result.
@_cdecl("tally_result_label_count")
public func tally_result_label_count(_ r: OpaquePointer?) -> Int64 { Int64(FitHandle.from(r)?.labels ?? 0) }

/// Iterations the method ran, or -1 when it reports none.
@_cdecl("tally_result_iterations")
public func tally_result_iterations(_ r: OpaquePointer?) -> Int64 { Int64(FitHandle.from(r)?.result.iterations ?? -1) }

/// Writes, for each of Tally's label ids, the caller's label code (K entries).
@_cdecl("tally_result_label_order")
public func tally_result_label_order(_ r: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) {
    guard let h = FitHandle.from(r), let out else { return }
    for (k, code) in h.labelOrder.enumerated() { out[k] = code }
}

/// Writes each task's chosen label as the caller's label code (T entries).
@_cdecl("tally_result_labels")
public func tally_result_labels(_ r: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) {
    guard let h = FitHandle.from(r), let out else { return }
    let labels = h.result.labels
    h.labelOrder.withUnsafeBufferPointer { order in
        labels.withUnsafeBufferPointer { l in
            for t in 0..<l.count { out[t] = l[t] >= 0 && Int(l[t]) < order.count ? order[Int(l[t])] : -1 }
        }
    }
}

/// Writes the tasks × labels probabilities, row-major, columns in Tally's label order (T·K entries).
@_cdecl("tally_result_probabilities")
public func tally_result_probabilities(_ r: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) {
    guard let h = FitHandle.from(r), let out else { return }
    h.result.probabilities.values.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
}

/// Writes the per-worker skills (W entries) when the method has them; returns 1 if so, else 0.
@_cdecl("tally_result_skills")
public func tally_result_skills(_ r: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guard let h = FitHandle.from(r), let skills = h.result.skills else { return 0 }
    if let out { skills.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) } }
    return 1
}

/// Writes the class priors (K entries) when the method estimates them; returns 1 if so, else 0.
@_cdecl("tally_result_priors")
public func tally_result_priors(_ r: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guard let h = FitHandle.from(r), let priors = h.result.priors else { return 0 }
    if let out { for (k, p) in priors.enumerated() { out[k] = p } }
    return 1
}

/// Writes up to `capacity` losses; returns how many there are, or -1 when the method tracks none.
@_cdecl("tally_result_loss_history")
public func tally_result_loss_history(_ r: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64) -> Int64 {
    guard let h = FitHandle.from(r), let loss = h.result.lossHistory else { return -1 }
    if let out { for (i, v) in loss.prefix(Int(max(0, capacity))).enumerated() { out[i] = v } }
    return Int64(loss.count)
}

/// Writes confusion matrices (W·K·K) and the observed-row mask (W·K); returns 1 if the method makes them.
@_cdecl("tally_result_confusions")
public func tally_result_confusions(_ r: OpaquePointer?, _ values: UnsafeMutablePointer<Double>?, _ observed: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let h = FitHandle.from(r), let c = h.result.confusions else { return 0 }
    if let values { c.values.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: $0.count) } }
    if let observed { for (i, o) in c.observed.enumerated() { observed[i] = o ? 1 : 0 } }
    return 1
}

/// The number of extra tables (MACE's spamming, GLAD's betas, …).
@_cdecl("tally_result_table_count")
public func tally_result_table_count(_ r: OpaquePointer?) -> Int32 { Int32(FitHandle.from(r)?.result.tables.count ?? 0) }

/// Describes table `index` as JSON (name, rows, row_count, columns); returns the length needed, -1 for a bad index.
@_cdecl("tally_result_table_json")
public func tally_result_table_json(_ r: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
    guard let h = FitHandle.from(r), h.result.tables.indices.contains(Int(index)) else { return -1 }
    let t = h.result.tables[Int(index)]
    let rowCount = t.columns.isEmpty ? 0 : t.values.count / t.columns.count
    let json: JSONValue = .object(["name": .string(t.name), "rows": .string(t.rows.rawValue), "row_count": .int(Int64(rowCount)),
                                   "columns": .array(t.columns.map { .string($0) })])
    return CBridge.write(json.serialized(), buffer, capacity)
}

/// Writes table `index`'s values row-major; returns 0, or -1 for a bad index.
@_cdecl("tally_result_table_values")
public func tally_result_table_values(_ r: OpaquePointer?, _ index: Int32, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guard let h = FitHandle.from(r), h.result.tables.indices.contains(Int(index)) else { return -1 }
    if let out { h.result.tables[Int(index)].values.withUnsafeBufferPointer { if let b = $0.baseAddress { out.update(from: b, count: $0.count) } } }
    return 0
}

/// The method's notes, one per line; returns the length needed.
@_cdecl("tally_result_notes")
public func tally_result_notes(_ r: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
    guard let h = FitHandle.from(r) else { return 0 }
    return CBridge.write(h.result.notes.joined(separator: "\n"), buffer, capacity)
}
