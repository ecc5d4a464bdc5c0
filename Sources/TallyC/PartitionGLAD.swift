import CTallyABI
import Foundation
import TallyAggregation
import TallyCore

// GLAD over partitions of tasks (tally.h: tally_partition_glad_*, tally_partitioned_glad_fit):
// the executors' passes and the driver's EM loop. See PartitionedGLAD in TallyAggregation.

/// GLAD's E-step on a partition (tally.h: tally_partition_glad_estep); 0, or -1 with `errorOut` filled.
@_cdecl("tally_partition_glad_estep")
public func tally_partition_glad_estep(_ p: OpaquePointer?, _ alphas: UnsafePointer<Double>?, _ workers: Int64, _ betas: UnsafePointer<Double>?,
                                       _ tasks: Int64, _ posteriors: UnsafeMutablePointer<Double>?, _ labels: UnsafeMutablePointer<Int32>?,
                                       _ errorOut: UnsafeMutablePointer<tally_error>?) -> Int32 {
    CBridge.reporting(errorOut, failure: -1) {
        guard let h = PartitionHandle.from(p) else { throw InputError(.invalidValue, file: "<partition>", "no partition") }
        guard let alphas, let betas, let posteriors else { throw InputError(.invalidValue, file: "<partition>", "NULL abilities, task parameters or posteriors") }
        let part = h.partition
        try part.gladEStep(alphas: UnsafeBufferPointer(start: alphas, count: Int(workers)), betas: UnsafeBufferPointer(start: betas, count: Int(tasks)),
                           posteriors: UnsafeMutableBufferPointer(start: posteriors, count: part.taskCount * part.labelCount),
                           labels: labels.map { UnsafeMutableBufferPointer(start: $0, count: part.taskCount) })
        return 0
    }
}

/// A partition's part of GLAD's likelihood and its α-gradient as exact partials (4 + 3·workers
/// Int64 limbs) and its tasks' β-gradients (tally.h: tally_partition_glad_likelihood); 0, or -1
/// with `errorOut` filled.
@_cdecl("tally_partition_glad_likelihood")
public func tally_partition_glad_likelihood(_ p: OpaquePointer?, _ alphas: UnsafePointer<Double>?, _ workers: Int64, _ betas: UnsafePointer<Double>?,
                                            _ tasks: Int64, _ posteriors: UnsafePointer<Double>?, _ partial: UnsafeMutablePointer<Int64>?,
                                            _ betaGradient: UnsafeMutablePointer<Double>?, _ errorOut: UnsafeMutablePointer<tally_error>?) -> Int32 {
    CBridge.reporting(errorOut, failure: -1) {
        guard let h = PartitionHandle.from(p) else { throw InputError(.invalidValue, file: "<partition>", "no partition") }
        guard let alphas, let betas, let posteriors, let partial, let betaGradient else {
            throw InputError(.invalidValue, file: "<partition>", "NULL abilities, task parameters, posteriors, partial or gradient")
        }
        let part = h.partition
        let result = try part.gladLikelihood(
            alphas: UnsafeBufferPointer(start: alphas, count: Int(workers)), betas: UnsafeBufferPointer(start: betas, count: Int(tasks)),
            posteriors: UnsafeBufferPointer(start: posteriors, count: part.taskCount * part.labelCount),
            betaGradient: UnsafeMutableBufferPointer(start: betaGradient, count: part.taskCount))
        for (i, v) in result.limbs.enumerated() { partial[i] = v }
        return 0
    }
}

/// The GLAD settings of `optionsJSON` (tally_fit's "max-iterations", "tolerance", "stopping",
/// "m-step-iterations", "m-step-tolerance"; any other parameter must keep its default).
func partitionedGLADSettings(_ optionsJSON: UnsafePointer<CChar>?) throws -> GLAD {
    let descriptor = try MethodRegistry.method(named: "glad")
    let resolved = try descriptor.resolve(try FitRequest.parameters(try CBridge.options(optionsJSON), for: descriptor))
    let supported: Set<String> = ["max-iterations", "tolerance", "stopping", "m-step-iterations", "m-step-tolerance"]
    for p in descriptor.parameters where !supported.contains(p.name) && resolved.values[p.name] != p.defaultValue {
        throw AggregationError("glad on partitions does not take '\(p.name)' (only \(supported.sorted().joined(separator: ", ")))")
    }
    return GLAD(maxIterations: resolved.int("max-iterations"), tolerance: resolved.double("tolerance"), stopping: resolved.choice("stopping"),
                mStepMaxIterations: resolved.int("m-step-iterations"), mStepTolerance: resolved.double("m-step-tolerance"))
}

/// Runs GLAD's EM on the driver, the passes through `callback` (tally.h: tally_partitioned_glad_fit);
/// 0, or -1 with `errorOut` filled.
@_cdecl("tally_partitioned_glad_fit")
public func tally_partitioned_glad_fit(_ optionsJSON: UnsafePointer<CChar>?, _ workers: Int64, _ tasks: Int64, _ labels: Int64, _ answers: Int64,
                                       _ callback: tally_glad_callback?, _ context: UnsafeMutableRawPointer?,
                                       _ xOut: UnsafeMutablePointer<Double>?, _ eStepXOut: UnsafeMutablePointer<Double>?,
                                       _ lossOut: UnsafeMutablePointer<Double>?, _ lossCapacity: Int64, _ countsOut: UnsafeMutablePointer<Int64>?,
                                       _ errorOut: UnsafeMutablePointer<tally_error>?) -> Int32 {
    CBridge.reporting(errorOut, failure: -1) {
        guard let callback else { throw InputError(.invalidValue, file: "<memory>", "no callback") }
        let driver = try PartitionedGLAD(glad: try partitionedGLADSettings(optionsJSON), workers: Int(workers), tasks: Int(tasks),
                                         labels: Int(labels), answers: Int(answers))
        var failed = false
        let result = driver.fit(eStep: { x in
            guard !failed else { return }
            if x.withUnsafeBufferPointer({ callback(context, 0, $0.baseAddress, Int64($0.count), nil, nil) }) != 0 { failed = true }
        }, likelihood: { x, g in
            let w = Int(workers)
            var nan = GLADPartial(workers: w)
            nan.nans = 1
            guard !failed else { return nan }
            var limbs = [Int64](repeating: 0, count: 4 + 3 * w)
            let status = x.withUnsafeBufferPointer { xp in
                g.withUnsafeMutableBufferPointer { gp in
                    limbs.withUnsafeMutableBufferPointer { lp in callback(context, 1, xp.baseAddress, Int64(xp.count), lp.baseAddress, gp.baseAddress) }
                }
            }
            if status != 0 { failed = true; return nan }
            return limbs.withUnsafeBufferPointer { GLADPartial(limbs: $0, workers: w) }
        })
        if failed { throw AggregationError("the partitioned GLAD fit stopped: its callback reported a failure") }
        let n = Int(workers + tasks)
        if let xOut { for i in 0..<n { xOut[i] = result.x[i] } }
        if let eStepXOut { for i in 0..<n { eStepXOut[i] = result.eStepX[i] } }
        if let lossOut { for (i, v) in result.lossHistory.prefix(Int(max(0, lossCapacity))).enumerated() { lossOut[i] = v } }
        if let countsOut {
            countsOut[0] = Int64(result.lossHistory.count)
            countsOut[1] = Int64(result.mStepIterations)
            countsOut[2] = Int64(result.evaluations)
            countsOut[3] = Int64(result.lineSearchFailures)
        }
        return 0
    }
}
