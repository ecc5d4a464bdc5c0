import Foundation

/// Makes task, task-suite and assignment ids in Toloka's form:
/// `<pool id as 10 lowercase hex digits>--<24 hex digits>`, where the 24-hex part is ObjectId-like —
/// 8 hex digits of the Unix creation second, then a 16-hex counter.
///
/// The second never goes backwards (it is clamped to the latest one issued) and the counter always
/// grows, so within one pool ids sort lexicographically in creation order, which `id_gt` paging needs.
struct ObjectIDGenerator: Sendable {
    private var lastSecond: UInt32 = 0
    private var counter: UInt64

    init(seed: UInt64) { counter = seed & 0x0000_FFFF_FFFF_FFFF }

    mutating func next(pool: Int, time: Double) -> String {
        lastSecond = max(lastSecond, UInt32(clamping: Int64(time.rounded(.down))))
        counter &+= 1
        return String(format: "%010llx--%08x%016llx", UInt64(pool), lastSecond, counter)
    }
}
