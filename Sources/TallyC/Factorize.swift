import CTallyABI
import TallyCore

/// Factorises items by their UTF-8 text with Tally's interner (tally.h: tally_factorize).
@_cdecl("tally_factorize")
public func tally_factorize(_ count: Int64, _ items: UnsafePointer<UnsafeRawPointer?>?,
                            _ utf8: (@convention(c) (UnsafeRawPointer?, UnsafeMutablePointer<Int64>?) -> UnsafePointer<CChar>?)?,
                            _ codes: UnsafeMutablePointer<Int32>?, _ first: UnsafeMutablePointer<Int64>?,
                            _ errorOut: UnsafeMutablePointer<tally_error>?) -> Int64 {
    let n = Int(count)
    guard n >= 0, let utf8, let codes, let first, n == 0 || items != nil else {
        CBridge.fail(errorOut, TALLY_ERROR_INPUT, "tally_factorize: NULL arguments or a negative count")
        return -1
    }
    // In batches of 256, as the readers do: read the texts, hash them and touch their slots
    // (so the cache misses overlap), then intern.
    var interner = Interner(capacity: 1024)
    var keys: [UnsafeRawBufferPointer] = []
    var probes: [Interner.Probe] = []
    keys.reserveCapacity(256)
    probes.reserveCapacity(256)
    var sink: UInt64 = 0
    var length: Int64 = 0
    var start = 0
    while start < n {
        let end = min(n, start + 256)
        keys.removeAll(keepingCapacity: true)
        for i in start..<end {
            guard let p = utf8(items![i], &length), length >= 0 else {
                CBridge.fail(errorOut, TALLY_ERROR_INPUT, "item \(i) is not text")
                return -1
            }
            keys.append(UnsafeRawBufferPointer(start: p, count: Int(length)))
        }
        guard interner.count + keys.count < Int(Int32.max) else {
            CBridge.fail(errorOut, TALLY_ERROR_INPUT, "more than 2^31 distinct texts")
            return -1
        }
        sink &+= interner.prefetch(keys, into: &probes)
        for (j, key) in keys.enumerated() {
            let (id, isNew) = interner.intern(key, probe: probes[j])
            codes[start + j] = id
            if isNew { first[Int(id)] = Int64(start + j) }
        }
        start = end
    }
    if sink == 0x5EED_5EED { keys.reserveCapacity(0) }  // keeps the touching loads alive
    CBridge.ok(errorOut)
    return Int64(interner.count)
}
