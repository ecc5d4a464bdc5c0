import CTallyABI
import Foundation
import TallyAggregation
import TallyCore

// The partitioned fit of tally.h: EM as sufficient statistics over partitions of tasks (the
// executors' side is tally_partition_*, the driver's tally_partitioned_fit_*). See
// TaskPartition, PartitionPass and PartitionedFit in TallyAggregation.

/// A partition behind a `tally_partition *`.
final class PartitionHandle: OpaqueHandle {
    let partition: TaskPartition
    init(_ partition: TaskPartition) { self.partition = partition }
}

/// A driver's fit behind a `tally_partitioned_fit *`.
final class PartitionedFitHandle: OpaqueHandle {
    let fit: PartitionedFit
    init(_ fit: PartitionedFit) { self.fit = fit }
}

/// Builds a partition from codes (tally.h: tally_partition_new); nil with `errorOut` filled on failure.
@_cdecl("tally_partition_new")
public func tally_partition_new(_ count: Int64, _ task: UnsafePointer<Int32>?, _ worker: UnsafePointer<Int32>?, _ label: UnsafePointer<Int32>?,
                                _ tasks: Int64, _ workers: Int64, _ labels: Int64, _ errorOut: UnsafeMutablePointer<tally_error>?) -> OpaquePointer? {
    CBridge.reporting(errorOut, failure: nil) {
        let n = Int(count)
        guard n >= 0 else { throw InputError(.invalidValue, file: "<partition>", "negative answer count \(n)") }
        let part = try TaskPartition(task: try CBridge.column(task, n, "task"), worker: try CBridge.column(worker, n, "worker"),
                                     label: try CBridge.column(label, n, "label"), taskCount: Int(tasks), workerCount: Int(workers),
                                     labelCount: Int(labels))
        return PartitionHandle(part).retainedPointer
    }
}

/// Releases a partition from ``tally_partition_new(_:_:_:_:_:_:_:_:)``.
@_cdecl("tally_partition_free")
public func tally_partition_free(_ p: OpaquePointer?) {
    PartitionHandle.release(p)
}

/// The length of pass `pass`'s statistics, or -1 for an unknown pass.
@_cdecl("tally_pass_statistics_count")
public func tally_pass_statistics_count(_ pass: Int32, _ workers: Int64, _ labels: Int64) -> Int64 {
    guard let p = PartitionPass(rawValue: pass) else { return -1 }
    return Int64(p.statisticsCount(workers: Int(workers), labels: Int(labels)))
}

/// The length of pass `pass`'s parameters, or -1 for an unknown pass.
@_cdecl("tally_pass_parameter_count")
public func tally_pass_parameter_count(_ pass: Int32, _ workers: Int64, _ labels: Int64) -> Int64 {
    guard let p = PartitionPass(rawValue: pass) else { return -1 }
    return Int64(p.parameterCount(workers: Int(workers), labels: Int(labels)))
}

/// Runs a pass on a partition (tally.h: tally_partition_run); 0, or -1 with `errorOut` filled.
@_cdecl("tally_partition_run")
public func tally_partition_run(_ p: OpaquePointer?, _ pass: Int32, _ parameters: UnsafePointer<Double>?, _ parameterCount: Int64,
                                _ statistics: UnsafeMutablePointer<Double>?, _ statisticsCount: Int64,
                                _ posteriors: UnsafeMutablePointer<Double>?, _ labels: UnsafeMutablePointer<Int32>?,
                                _ errorOut: UnsafeMutablePointer<tally_error>?) -> Int32 {
    CBridge.reporting(errorOut, failure: -1) {
        guard let h = PartitionHandle.from(p) else { throw InputError(.invalidValue, file: "<partition>", "no partition") }
        guard let kind = PartitionPass(rawValue: pass) else { throw InputError(.invalidValue, file: "<partition>", field: "pass", "unknown pass \(pass)") }
        guard parameterCount == 0 || parameters != nil, statistics != nil || statisticsCount == 0 else {
            throw InputError(.invalidValue, file: "<partition>", "NULL parameters or statistics with a non-zero count")
        }
        let part = h.partition
        let t = part.taskCount, k = part.labelCount
        try part.run(kind, parameters: UnsafeBufferPointer(start: parameters, count: Int(parameterCount)),
                     statistics: UnsafeMutableBufferPointer(start: statistics, count: Int(statisticsCount)),
                     posteriors: posteriors.map { UnsafeMutableBufferPointer(start: $0, count: t * k) },
                     labels: labels.map { UnsafeMutableBufferPointer(start: $0, count: t) })
        return 0
    }
}

/// Starts a driver's fit (tally.h: tally_partitioned_fit_new); nil with `errorOut` filled on failure.
@_cdecl("tally_partitioned_fit_new")
public func tally_partitioned_fit_new(_ method: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?, _ workers: Int64, _ labels: Int64,
                                      _ errorOut: UnsafeMutablePointer<tally_error>?) -> OpaquePointer? {
    CBridge.reporting(errorOut, failure: nil) {
        guard let method else { throw InputError(.invalidValue, file: "<memory>", field: "method", "no method name") }
        let name = String(cString: method)
        guard let kind = PartitionedFit.Method(rawValue: name) else {
            throw AggregationError("a partitioned fit runs \(PartitionedFit.Method.allCases.map(\.rawValue).joined(separator: ", ")); not '\(name)'")
        }
        let descriptor = try MethodRegistry.method(named: name)
        let options = try CBridge.options(optionsJSON)
        let resolved = try descriptor.resolve(try FitRequest.parameters(options, for: descriptor))
        // Parameters the partitioned fit does not implement must keep their defaults.
        let supported: Set<String> = ["max-iterations", "tolerance", "em"]
        for p in descriptor.parameters where !supported.contains(p.name) && resolved.values[p.name] != p.defaultValue {
            throw AggregationError("\(name) on partitions does not take '\(p.name)' (only \(supported.filter(descriptor.takes).sorted().joined(separator: ", ")))")
        }
        let fit = try PartitionedFit(
            method: kind, maxIterations: descriptor.takes("max-iterations") ? resolved.int("max-iterations") : 0,
            tolerance: descriptor.takes("tolerance") ? resolved.double("tolerance") : 0,
            em: descriptor.takes("em") ? resolved.choice("em") : .soft, workers: Int(workers), labels: Int(labels))
        return PartitionedFitHandle(fit).retainedPointer
    }
}

/// Releases a fit from ``tally_partitioned_fit_new(_:_:_:_:_:)``.
@_cdecl("tally_partitioned_fit_free")
public func tally_partitioned_fit_free(_ f: OpaquePointer?) {
    PartitionedFitHandle.release(f)
}

/// The pass the partitions run next (once done: the pass that gives the reported posteriors).
@_cdecl("tally_partitioned_fit_pass")
public func tally_partitioned_fit_pass(_ f: OpaquePointer?) -> Int32 { PartitionedFitHandle.from(f)?.fit.pass.rawValue ?? -1 }

/// 1 when the fit is done, else 0.
@_cdecl("tally_partitioned_fit_done")
public func tally_partitioned_fit_done(_ f: OpaquePointer?) -> Int32 { PartitionedFitHandle.from(f)?.fit.done == true ? 1 : 0 }

/// Writes up to `capacity` parameters of the next pass; returns how many there are.
@_cdecl("tally_partitioned_fit_parameters")
public func tally_partitioned_fit_parameters(_ f: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64) -> Int64 {
    guard let fit = PartitionedFitHandle.from(f)?.fit else { return -1 }
    if let out { fit.parameters.prefix(Int(max(0, capacity))).withUnsafeBufferPointer { if let b = $0.baseAddress { out.update(from: b, count: $0.count) } } }
    return Int64(fit.parameters.count)
}

/// Takes the summed statistics of the current pass: 1 when another pass follows, 0 when done,
/// -1 with `errorOut` filled on failure.
@_cdecl("tally_partitioned_fit_update")
public func tally_partitioned_fit_update(_ f: OpaquePointer?, _ statistics: UnsafePointer<Double>?, _ count: Int64,
                                         _ errorOut: UnsafeMutablePointer<tally_error>?) -> Int32 {
    CBridge.reporting(errorOut, failure: -1) {
        guard let fit = PartitionedFitHandle.from(f)?.fit else { throw InputError(.invalidValue, file: "<memory>", "no fit") }
        try fit.update(try CBridge.doubles(statistics, Int(count), "statistics"))
        return fit.done ? 0 : 1
    }
}

/// EM iterations run, or -1 for a method without iterations.
@_cdecl("tally_partitioned_fit_iterations")
public func tally_partitioned_fit_iterations(_ f: OpaquePointer?) -> Int64 { Int64(PartitionedFitHandle.from(f)?.fit.iterations ?? -1) }

/// Writes up to `capacity` losses; returns how many there are, or -1 when the method has none.
@_cdecl("tally_partitioned_fit_loss_history")
public func tally_partitioned_fit_loss_history(_ f: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64) -> Int64 {
    guard let fit = PartitionedFitHandle.from(f)?.fit, fit.iterations != nil else { return -1 }
    if let out { for (i, v) in fit.lossHistory.prefix(Int(max(0, capacity))).enumerated() { out[i] = v } }
    return Int64(fit.lossHistory.count)
}

/// Writes the class priors (K) when the method has them; returns 1 if so, else 0.
@_cdecl("tally_partitioned_fit_priors")
public func tally_partitioned_fit_priors(_ f: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guard let fit = PartitionedFitHandle.from(f)?.fit, let priors = fit.priors else { return 0 }
    if let out { for (k, p) in priors.enumerated() { out[k] = p } }
    return 1
}

/// Writes per-worker skills (W) when the method has them; returns 1 if so, else 0.
@_cdecl("tally_partitioned_fit_skills")
public func tally_partitioned_fit_skills(_ f: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guard let fit = PartitionedFitHandle.from(f)?.fit, let skills = fit.skills else { return 0 }
    if let out { for (w, s) in skills.enumerated() { out[w] = s } }
    return 1
}

/// Writes confusion matrices (W·K·K) and observed rows (W·K) when the method has them; returns 1 if so.
@_cdecl("tally_partitioned_fit_confusions")
public func tally_partitioned_fit_confusions(_ f: OpaquePointer?, _ values: UnsafeMutablePointer<Double>?, _ observed: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let fit = PartitionedFitHandle.from(f)?.fit, let c = fit.confusion, let o = fit.observed else { return 0 }
    if let values { c.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: $0.count) } }
    if let observed { for (i, x) in o.enumerated() { observed[i] = x ? 1 : 0 } }
    return 1
}
