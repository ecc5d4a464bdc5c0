import Foundation
import Synchronization

/// The `task`, `worker` and `label` columns of an ``AnswerTable`` whose answers are stored in task
/// order (a task-grouped `.arrow` file, ``ArrowGroupedReader``): row `i` is entry `i` of the task
/// view, so the columns follow from the view (`task` from the offsets, `worker` and `label` from
/// the fused entry `worker * K + label`). They are made once, by the first reader, under a lock
/// (later reads take no lock), so a method that reads only the views (Dawid-Skene) never
/// allocates or fills them: 12 bytes per answer of fresh memory saved.
@usableFromInline
final class DeferredColumns: @unchecked Sendable {
    private let ready = Atomic<Bool>(false)
    private let lock = NSLock()
    private var columns: (task: [Int32], worker: [Int32], label: [Int32]) = ([], [], [])
    private var view: CSRView?

    /// The columns of the answers of `taskView`, in its entries' order.
    init(taskView: CSRView) { view = taskView }

    /// Whether the columns exist yet.
    var isBuilt: Bool { ready.load(ordering: .acquiring) }

    // Once built, a read is one load of the flag and of one array (callers reading one answer at
    // a time in a loop, as `tally convert` does, pay no more than that).
    /// The task of each answer.
    @usableFromInline var task: [Int32] {
        if !ready.load(ordering: .acquiring) { build() }
        return columns.task
    }
    /// The worker of each answer.
    @usableFromInline var worker: [Int32] {
        if !ready.load(ordering: .acquiring) { build() }
        return columns.worker
    }
    /// The label of each answer.
    @usableFromInline var label: [Int32] {
        if !ready.load(ordering: .acquiring) { build() }
        return columns.label
    }

    /// Makes the columns unless another reader already has (under the lock).
    private func build() {
        lock.lock()
        defer { lock.unlock() }
        if !ready.load(ordering: .relaxed) {
            columns = Self.columns(of: view!)
            view = nil
            ready.store(true, ordering: .releasing)
        }
    }

    /// The three columns of `view`'s entries, one pass.
    static func columns(of view: CSRView) -> (task: [Int32], worker: [Int32], label: [Int32]) {
        let entries = view.entries
        let n = entries.count
        let k = Int32(view.labelCount)
        var worker: [Int32] = [], label: [Int32] = []
        let task: [Int32] = FreshArray.uninitialized(n) { t in
            worker = FreshArray.uninitialized(n) { w in
                label = FreshArray.uninitialized(n) { l in
                    view.offsets.withUnsafeBufferPointer { o in
                        entries.withUnsafeBufferPointer { e in
                            for r in 0..<view.rowCount {
                                for i in o[r]..<o[r + 1] { t[i] = Int32(truncatingIfNeeded: r) }
                            }
                            if k == 2 {
                                for i in 0..<n { w[i] = e[i] >> 1; l[i] = e[i] & 1 }
                            } else {
                                for i in 0..<n { w[i] = e[i] / k; l[i] = e[i] % k }
                            }
                        }
                    }
                }
            }
        }
        return (task, worker, label)
    }
}
