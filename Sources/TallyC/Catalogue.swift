import CTallyABI
import Foundation
import TallyAggregation
import TallyCore

/// The registry as JSON, for callers that build their classes from it.
enum Catalogue {
    static func json(_ p: ParameterValue) -> JSONValue {
        switch p {
        case .int(let v): return .int(Int64(v))
        case .unsigned(let v): return .int(Int64(clamping: v))
        case .double(let v): return .double(v)
        case .string(let v): return .string(v)
        case .flag(let v): return .bool(v)
        }
    }

    static func type(_ p: ParameterValue) -> String {
        switch p {
        case .int: return "int"
        case .unsigned: return "seed"
        case .double: return "float"
        case .string: return "choice"
        case .flag: return "bool"
        }
    }

    static func json(_ m: MethodDescriptor) -> JSONValue {
        .object([
            "name": .string(m.name), "title": .string(m.title), "summary": .string(m.summary), "citation": .string(m.citation),
            "family": .string(m.family.rawValue), "crowd_kit_class": m.crowdKitClass.map { .string($0) } ?? .null,
            "label_counts": .string(m.labelCounts.rawValue), "needs_gold": .bool(m.needsGold), "makes_confusions": .bool(m.makesConfusions),
            "tables": .array(m.tables.map { .string($0) }),
            "parameters": .array(m.parameters.map { p in
                .object(["name": .string(p.name), "summary": .string(p.summary), "type": .string(type(p.defaultValue)),
                         "default": json(p.defaultValue), "choices": p.choices.map { .array($0.map { .string($0) }) } ?? .null,
                         "crowd_kit": p.crowdKitValue.map(json) ?? .null])
            }),
        ])
    }
}

/// The registry methods the C ABI fits: those that take categorical answers (the only kind its
/// `tally_answers` holds).
let abiMethods = MethodRegistry.methods(for: .categorical)

/// The number of categorical methods in ``MethodRegistry``.
@_cdecl("tally_method_count")
public func tally_method_count() -> Int32 { Int32(abiMethods.count) }

/// Describes categorical registry method `index` as JSON; returns the length needed, -1 for a bad index.
@_cdecl("tally_method_json")
public func tally_method_json(_ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
    guard abiMethods.indices.contains(Int(index)) else { return -1 }
    return CBridge.write(Catalogue.json(abiMethods[Int(index)]).serialized(), buffer, capacity)
}

/// A table read from a file, behind a `tally_table *`.
final class TableHandle: OpaqueHandle {
    let table: AnswerTable
    init(_ table: AnswerTable) { self.table = table }
}

/// Reads an answers file in any format the CLI reads; nil with `errorOut` filled on failure.
@_cdecl("tally_read_answers")
public func tally_read_answers(_ path: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?, _ errorOut: UnsafeMutablePointer<tally_error>?) -> OpaquePointer? {
    CBridge.reporting(errorOut, failure: nil) {
        guard let path else { throw InputError(.fileNotFound, file: "<memory>", "no path") }
        let o = try CBridge.options(optionsJSON)
        var options = AnswerReadOptions()
        if let f = o["format"] {
            guard let s = f.stringValue, let format = AnswerFormat(rawValue: s) else {
                throw InputError(.invalidValue, file: "<options>", field: "format", "expected auto, crowdkit, toloka or jsonl")
            }
            options.format = format
        }
        options.labelColumn = o["label_column"]?.stringValue
        options.taskColumn = o["task_column"]?.stringValue
        options.includeRejected = o["include_rejected"]?.boolValue ?? false
        let file = try AnswerReader.read(String(cString: path), options: options)
        return TableHandle(file.table).retainedPointer
    }
}

/// Releases a table from ``tally_read_answers(_:_:_:)``.
@_cdecl("tally_table_free")
public func tally_table_free(_ t: OpaquePointer?) {
    TableHandle.release(t)
}

/// Writes answers, tasks, workers and labels counts (4 entries).
@_cdecl("tally_table_counts")
public func tally_table_counts(_ t: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) {
    guard let h = TableHandle.from(t), let out else { return }
    out[0] = Int64(h.table.answerCount); out[1] = Int64(h.table.taskCount)
    out[2] = Int64(h.table.workerCount); out[3] = Int64(h.table.labelCount)
}

/// Writes the answers' task, worker and label codes (labels in Tally's order).
@_cdecl("tally_table_codes")
public func tally_table_codes(_ t: OpaquePointer?, _ task: UnsafeMutablePointer<Int32>?, _ worker: UnsafeMutablePointer<Int32>?, _ label: UnsafeMutablePointer<Int32>?) {
    guard let h = TableHandle.from(t) else { return }
    for (column, out) in [(h.table.task, task), (h.table.worker, worker), (h.table.label, label)] {
        guard let out, !column.isEmpty else { continue }
        column.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
    }
}

/// Writes the names of tasks (0), workers (1) or labels (2) and their offsets; returns the bytes needed.
@_cdecl("tally_table_names")
public func tally_table_names(_ t: OpaquePointer?, _ which: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                              _ offsets: UnsafeMutablePointer<Int64>?) -> Int64 {
    guard let h = TableHandle.from(t) else { return -1 }
    let names: [String]
    switch which {
    case 0: names = (0..<h.table.taskCount).map { h.table.tasks.name(Int32($0)) }
    case 1: names = (0..<h.table.workerCount).map { h.table.workers.name(Int32($0)) }
    case 2: names = h.table.labels.names
    default: return -1
    }
    var total: Int64 = 0
    if let offsets { offsets[0] = 0 }
    for (i, n) in names.enumerated() {
        let bytes = n.utf8
        if let buffer, total + Int64(bytes.count) <= capacity {
            var p = Int(total)
            for b in bytes { buffer[p] = CChar(bitPattern: b); p += 1 }
        }
        total += Int64(bytes.count)
        offsets?[i + 1] = total
    }
    return total
}

/// Accuracy, macro-F1, tasks scored and gold tasks of predictions against gold; 0, or -1 with `errorOut` filled.
@_cdecl("tally_evaluate")
public func tally_evaluate(_ predictionCount: Int64, _ predictionTask: UnsafePointer<Int32>?, _ predictionLabel: UnsafePointer<Int32>?,
                           _ goldCount: Int64, _ goldTask: UnsafePointer<Int32>?, _ goldLabel: UnsafePointer<Int32>?,
                           _ tasks: UnsafePointer<tally_names>?, _ labels: UnsafePointer<tally_names>?,
                           _ out: UnsafeMutablePointer<Double>?, _ errorOut: UnsafeMutablePointer<tally_error>?) -> Int32 {
    CBridge.reporting(errorOut, failure: -1) {
        guard let tasks, let labels, let out else { throw InputError(.invalidValue, file: "<memory>", "tasks, labels and out must not be NULL") }
        let taskNames = try CBridge.names(tasks.pointee, "task"), labelNames = try CBridge.names(labels.pointee, "label")
        func entries(_ n: Int64, _ t: UnsafePointer<Int32>?, _ l: UnsafePointer<Int32>?, _ what: String) throws -> [GoldLabels.Entry] {
            let ts = try CBridge.column(t, Int(n), "\(what) task"), ls = try CBridge.column(l, Int(n), "\(what) label")
            return try zip(ts, ls).enumerated().map { i, pair in
                guard pair.0 >= 0, Int(pair.0) < taskNames.count, pair.1 >= 0, Int(pair.1) < labelNames.count else {
                    throw InputError(.invalidValue, file: "<\(what)>", "row \(i): a task or label code is out of range")
                }
                return GoldLabels.Entry(task: taskNames[Int(pair.0)], label: labelNames[Int(pair.1)])
            }
        }
        let e = Evaluation(predictions: try GoldLabels(entries(predictionCount, predictionTask, predictionLabel, "predictions"), file: "<predictions>"),
                           gold: try GoldLabels(entries(goldCount, goldTask, goldLabel, "gold"), file: "<gold>"))
        out[0] = e.accuracy; out[1] = e.macroF1; out[2] = Double(e.scored); out[3] = Double(e.goldTasks)
        return 0
    }
}
