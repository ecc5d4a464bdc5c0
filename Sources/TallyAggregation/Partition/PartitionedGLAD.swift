import Foundation
import TallyCore
import CTallyKernels

/// GLAD over partitions of tasks (Spark, or any map-reduce): the single-machine EM loop and
/// conjugate gradient (``GLAD``'s own code) run on the driver, and every pass over the answers
/// runs on the partitions.
///
/// The parameter vector is `x = [α_0…α_{W−1}, β_0…β_{T−1}]`, tasks in any order (say partition
/// after partition). Per objective evaluation each partition computes, from the trial `α` and its
/// own tasks' `β` (``TaskPartition/gladLikelihood(alphas:betas:posteriors:betaGradient:cKernels:)``),
/// its part of the expected log-likelihood and its per-worker α-gradient as exact sums
/// (``GLADPartial``, shipped as `Int64` limbs) and its per-task β-gradient; the driver adds the
/// partials (integer addition: any order, any tree), writes the β-gradients at their tasks' places,
/// adds the Gaussian log-priors as one machine does
/// (``GLADKernel/addPriors(_:x:gradient:workers:tasks:muAlpha:muBeta:)``) and the optimiser takes
/// exact dot products. The posteriors of an E-step stay in their partition
/// (``TaskPartition/gladEStep(alphas:betas:posteriors:labels:cKernels:)``): the driver only says
/// which parameters the next E-step uses.
///
/// Every sum GLAD's optimiser sees is order-free (see ``GLAD``), so the result is one machine's
/// ``GLAD/fit(_:)`` bit for bit, for any partitioning and any row order.
///
/// ```swift
/// let driver = try PartitionedGLAD(glad: GLAD(), workers: W, tasks: T, labels: K, answers: N)
/// let result = driver.fit(eStep: { x in /* partitions: posteriors from x */ },
///                         likelihood: { x, gradient in /* partials summed, β-gradients written */ })
/// // result.eStepX gives the reported posteriors (one more E-step pass on the partitions).
/// ```
package struct PartitionedGLAD {
    /// The settings (``GLAD/labelPriors``, ``GLAD/alphaPriorMeans`` and ``GLAD/betaPriorMeans``
    /// must be nil: uniform label priors, prior means 1).
    package let glad: GLAD
    /// Workers, tasks (over all partitions), labels and answers.
    package let workers: Int, tasks: Int, labels: Int, answers: Int

    /// What a partitioned fit ends with.
    package struct Result {
        /// The parameters `[α…, β…]` after the last M-step.
        package var x: [Double]
        /// The parameters of the last E-step: the reported posteriors are that E-step's.
        package var eStepX: [Double]
        /// `Q / (N·K)` after each EM iteration.
        package var lossHistory: [Double]
        /// Conjugate-gradient iterations over all M-steps.
        package var mStepIterations: Int
        /// Objective evaluations (passes over the partitions), the E-steps not counted.
        package var evaluations: Int
        /// M-steps whose line search gave up.
        package var lineSearchFailures: Int
    }

    /// A driver for `workers` workers, `tasks` tasks, `labels` labels and `answers` answers.
    ///
    /// - Throws: ``AggregationError`` for settings ``GLAD/fit(_:)`` rejects, label priors or prior
    ///   means (not taken on partitions), or no worker, task or label.
    package init(glad: GLAD, workers: Int, tasks: Int, labels: Int, answers: Int) throws {
        try AggregationError.checkIterations(glad.maxIterations, tolerance: glad.tolerance)
        guard glad.mStepMaxIterations >= 0 else { throw AggregationError("the number of M-step iterations must be ≥ 0") }
        guard glad.mStepTolerance.isFinite, glad.mStepTolerance >= 0 else { throw AggregationError("the M-step tolerance must be a finite number ≥ 0") }
        guard glad.labelPriors == nil, glad.alphaPriorMeans == nil, glad.betaPriorMeans == nil else {
            throw AggregationError("GLAD on partitions takes no label priors or prior means (uniform priors, means 1)")
        }
        guard workers >= 1, tasks >= 1, labels >= 1, answers >= 1 else {
            throw AggregationError("a partitioned GLAD fit needs workers, tasks, labels and answers; got \(workers), \(tasks), \(labels) and \(answers)")
        }
        self.glad = glad
        self.workers = workers
        self.tasks = tasks
        self.labels = labels
        self.answers = answers
    }

    /// Runs EM. `eStep(x)`: the partitions' next E-step uses `x` (their posteriors until the
    /// following E-step). `likelihood(x, &gradient)`: the sum of the partitions' partials (in any
    /// order), each task's β-gradient written at `gradient[W + task]`. With one label nothing runs
    /// (every posterior is 1).
    package func fit(eStep: ([Double]) -> Void, likelihood: ([Double], inout [Double]) -> GLADPartial) -> Result {
        let ones = [Double](repeating: 1, count: workers + tasks)
        guard labels >= 2 else {
            return Result(x: ones, eStepX: ones, lossHistory: [], mStepIterations: 0, evaluations: 0, lineSearchFailures: 0)
        }
        let muAlpha = [Double](repeating: 1, count: workers), muBeta = [Double](repeating: 1, count: tasks)
        let (w, t) = (workers, tasks)
        let run = glad.runEM(workers: w, tasks: t, normaliser: Double(answers * labels), eStep: eStep, evaluate: { x, g in
            for i in g.indices { g[i] = 0 }
            let partial = likelihood(x, &g)
            partial.writeAlphaGradient(into: &g)
            return GLADKernel.addPriors(partial.likelihood, x: x, gradient: &g, workers: w, tasks: t, muAlpha: muAlpha, muBeta: muBeta)
        })
        return Result(x: run.x, eStepX: run.eStepX, lossHistory: run.history, mStepIterations: run.cgIterations,
                      evaluations: run.evaluations, lineSearchFailures: run.failures)
    }
}

extension TaskPartition {
    /// GLAD's E-step on this partition's tasks: the posteriors (tasks × K) from the abilities of
    /// every worker (`W`) and this partition's task parameters (`tasks`, in local task order),
    /// with uniform label priors; and, when given, the first-max labels. One label: every
    /// posterior is 1.
    ///
    /// - Throws: ``AggregationError`` when a buffer has the wrong length.
    package func gladEStep(alphas: UnsafeBufferPointer<Double>, betas: UnsafeBufferPointer<Double>, posteriors: UnsafeMutableBufferPointer<Double>,
                           labels: UnsafeMutableBufferPointer<Int32>? = nil, cKernels: Bool = true) throws {
        let (t, k) = (taskCount, labelCount)
        try checkGLAD(alphas: alphas, betas: betas)
        guard posteriors.count == t * k else { throw AggregationError("the posteriors buffer holds \(posteriors.count) numbers; \(t) tasks × \(k) labels need \(t * k)") }
        if let labels, labels.count != t { throw AggregationError("the labels buffer holds \(labels.count) entries; there are \(t) tasks") }
        if k < 2 {
            posteriors.update(repeating: 1)
        } else {
            let x = Array(alphas) + Array(betas)
            var p = [Double](repeating: 0, count: t * k)
            withGLADKernel(cKernels: cKernels) { $0.eStep(x, into: &p) }
            for i in 0..<(t * k) { posteriors[i] = p[i] }
        }
        if let labels {
            for task in 0..<t { labels[task] = Int32(Self.firstMaxLabel(posteriors, task: task, labels: k)) }
        }
    }

    /// This partition's part of GLAD's expected log-likelihood (no priors) under `posteriors`
    /// (from ``gladEStep(alphas:betas:posteriors:labels:cKernels:)``) with every worker's
    /// α-gradient, as exact sums (``GLADPartial``), and the β-gradient of each of its tasks
    /// (`tasks`, overwritten). Zero with one label.
    ///
    /// - Throws: ``AggregationError`` when a buffer has the wrong length.
    package func gladLikelihood(alphas: UnsafeBufferPointer<Double>, betas: UnsafeBufferPointer<Double>, posteriors: UnsafeBufferPointer<Double>,
                                betaGradient: UnsafeMutableBufferPointer<Double>, cKernels: Bool = true) throws -> GLADPartial {
        let (w, t, k) = (workerCount, taskCount, labelCount)
        try checkGLAD(alphas: alphas, betas: betas)
        guard posteriors.count == t * k else { throw AggregationError("the posteriors hold \(posteriors.count) numbers; \(t) tasks × \(k) labels need \(t * k)") }
        guard betaGradient.count == t else {
            throw AggregationError("the β-gradient holds \(betaGradient.count) numbers; \(t) tasks need as many")
        }
        guard k >= 2 else {
            betaGradient.update(repeating: 0)
            return GLADPartial(workers: w)
        }
        let x = Array(alphas) + Array(betas)
        let p = Array(posteriors)
        var g = [Double](repeating: 0, count: w + t)
        let partial = withGLADKernel(cKernels: cKernels) { $0.partial(x, posteriors: p, gradient: &g) }
        for j in 0..<t { betaGradient[j] = g[w + j] }
        return partial
    }

    private func checkGLAD(alphas: UnsafeBufferPointer<Double>, betas: UnsafeBufferPointer<Double>) throws {
        guard alphas.count == workerCount else { throw AggregationError("GLAD on a partition takes \(workerCount) abilities (one per worker), got \(alphas.count)") }
        guard betas.count == taskCount else { throw AggregationError("GLAD on a partition takes \(taskCount) task parameters (one per task), got \(betas.count)") }
    }

    /// One GLAD kernel over the whole partition, one thread, uniform label priors; its tasks
    /// split into parts by one machine's rule (two from 200,000 answers: the sums are exact, so
    /// the split only bounds the C pass's scratch).
    private func withGLADKernel<R>(cKernels: Bool, _ body: (GLADKernel) -> R) -> R {
        let (w, t, k) = (workerCount, taskCount, labelCount)
        let parts = DawidSkeneEngine.split(byTask, into: answerCount >= 200_000 ? 2 : 1)
        return byTask.offsets.withUnsafeBufferPointer { offsets in
            byTask.entries.withUnsafeBufferPointer { entries in
                let kernel = GLADKernel(offsets: offsets, entries: entries, k: k, workers: w, tasks: t,
                                        lnPriors: [Double](repeating: tally_glad_log(1 / Double(k)), count: k), muAlpha: [], muBeta: [],
                                        parts: parts, threads: 1, cKernels: cKernels)
                defer { kernel.deallocate() }
                return body(kernel)
            }
        }
    }
}
