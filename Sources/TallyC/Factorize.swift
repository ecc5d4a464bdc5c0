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
    var interner = Interner(capacity: 1024)
    var length: Int64 = 0
    for i in 0..<n {
        guard let p = utf8(items![i], &length), length >= 0 else {
            CBridge.fail(errorOut, TALLY_ERROR_INPUT, "item \(i) is not text")
            return -1
        }
        guard interner.count < Int(Int32.max) else {
            CBridge.fail(errorOut, TALLY_ERROR_INPUT, "more than 2^31 distinct texts")
            return -1
        }
        let (id, isNew) = interner.intern(UnsafeRawBufferPointer(start: p, count: Int(length)))
        codes[i] = id
        if isNew { first[Int(id)] = Int64(i) }
    }
    CBridge.ok(errorOut)
    return Int64(interner.count)
}
