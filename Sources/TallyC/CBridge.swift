import CTallyABI
import Foundation
import TallyAggregation
import TallyCore

/// Helpers shared by the exported functions: reading C name tables, filling errors, writing
/// strings into caller buffers. Nothing here keeps state between calls.
enum CBridge {
    /// The names of a `tally_names` table (decimal codes when it has no bytes).
    static func names(_ t: tally_names, _ what: String) throws -> [String] {
        let count = Int(t.count)
        guard count >= 0 else { throw InputError(.invalidValue, file: "<memory>", field: what, "negative name count \(count)") }
        guard let bytes = t.bytes else { return (0..<count).map(String.init) }
        guard let offsets = t.offsets else { throw InputError(.invalidValue, file: "<memory>", field: what, "name bytes without offsets") }
        let raw = UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self)
        var out: [String] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let a = Int(offsets[i]), b = Int(offsets[i + 1])
            guard a >= 0, b >= a else { throw InputError(.invalidValue, file: "<memory>", field: what, "offsets of name \(i) are out of order (\(a), \(b))") }
            let buffer = UnsafeBufferPointer(start: raw + a, count: b - a)
            guard let s = String(validating: buffer, as: UTF8.self) else {
                throw InputError(.invalidUTF8, file: "<memory>", field: what, "name \(i) is not valid UTF-8")
            }
            out.append(s)
        }
        return out
    }

    /// An `Int32` column of `count` entries as an array (empty when `count` is 0).
    static func column(_ p: UnsafePointer<Int32>?, _ count: Int, _ what: String) throws -> [Int32] {
        guard count > 0 else { return [] }
        guard let p else { throw InputError(.invalidValue, file: "<memory>", field: what, "the \(what) column is NULL") }
        return Array(UnsafeBufferPointer(start: p, count: count))
    }

    /// A `Double` column of `count` entries.
    static func doubles(_ p: UnsafePointer<Double>?, _ count: Int, _ what: String) throws -> [Double] {
        guard count > 0 else { return [] }
        guard let p else { throw InputError(.invalidValue, file: "<memory>", field: what, "the \(what) column is NULL") }
        return Array(UnsafeBufferPointer(start: p, count: count))
    }

    /// Fills `error` (when given) with `code` and `message`, truncated to fit.
    static func fail(_ error: UnsafeMutablePointer<tally_error>?, _ code: Int32, _ message: String) {
        guard let error else { return }
        error.pointee.code = code
        withUnsafeMutableBytes(of: &error.pointee.message) { buf in
            let bytes = Array(message.utf8.prefix(buf.count - 1))
            buf.copyBytes(from: bytes)
            buf[bytes.count] = 0
        }
    }

    /// Fills `error` from a thrown error, choosing its code by type.
    static func fail(_ error: UnsafeMutablePointer<tally_error>?, _ thrown: any Error) {
        switch thrown {
        case let e as InputError:
            fail(error, e.code == .fileNotFound || e.code == .unreadable ? TALLY_ERROR_IO : TALLY_ERROR_INPUT, e.description)
        case let e as AggregationError:
            fail(error, TALLY_ERROR_AGGREGATION, e.description)
        default:
            fail(error, TALLY_ERROR_OTHER, String(describing: thrown))
        }
    }

    /// Marks `error` as success.
    static func ok(_ error: UnsafeMutablePointer<tally_error>?) {
        guard let error else { return }
        error.pointee.code = TALLY_OK
        withUnsafeMutableBytes(of: &error.pointee.message) { $0[0] = 0 }
    }

    /// Writes `s` NUL-terminated into `buffer` (at most `capacity` bytes); returns its length.
    static func write(_ s: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
        let bytes = Array(s.utf8)
        if let buffer, capacity > 0 {
            let n = min(bytes.count, Int(capacity) - 1)
            bytes.withUnsafeBufferPointer { src in
                UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress!, byteCount: n)
            }
            buffer[n] = 0
        }
        return Int64(bytes.count)
    }

    /// A JSON object of options, or an empty one for NULL or "".
    static func options(_ json: UnsafePointer<CChar>?) throws -> [String: JSONValue] {
        guard let json, json.pointee != 0 else { return [:] }
        let text = String(cString: json)
        let value: JSONValue
        do { value = try JSONValue(parsing: text) } catch {
            throw InputError(.invalidJSON, file: "<options>", "the options are not valid JSON: \(error)")
        }
        guard case .object(let o) = value else { throw InputError(.invalidJSON, file: "<options>", "the options must be a JSON object") }
        return o
    }
}

/// A Swift object handed to C behind an opaque pointer (`tally_table *`, `tally_result *`,
/// `tally_partition *`, `tally_partitioned_fit *`): one place for the retain, look-up and release.
protocol OpaqueHandle: AnyObject {}

extension OpaqueHandle {
    /// The object behind `p` (not retained), or nil for NULL.
    static func from(_ p: OpaquePointer?) -> Self? {
        guard let p else { return nil }
        return Unmanaged<Self>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// Gives up the reference that ``retainedPointer`` handed to C; NULL is ignored.
    static func release(_ p: OpaquePointer?) {
        guard let p else { return }
        Unmanaged<Self>.fromOpaque(UnsafeRawPointer(p)).release()
    }

    /// A new reference to this object for C, released by ``release(_:)``.
    var retainedPointer: OpaquePointer { OpaquePointer(Unmanaged.passRetained(self).toOpaque()) }
}

extension CBridge {
    /// The body of an exported function that reports failure through `errorOut`: `body`'s value
    /// with `errorOut` marked as success, or `failure` with `errorOut` filled from what it threw.
    static func reporting<R>(_ errorOut: UnsafeMutablePointer<tally_error>?, failure: R, _ body: () throws -> R) -> R {
        do {
            let value = try body()
            ok(errorOut)
            return value
        } catch {
            fail(errorOut, error)
            return failure
        }
    }
}
