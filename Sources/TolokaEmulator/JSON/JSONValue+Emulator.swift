import Foundation
import TallyCore

/// The emulator keeps the objects a client sent as ``JSONValue``s and echoes them back, written as
/// Toloka's API and toloka-kit write them (``JSONValue/NumberFormat/python``: `3.0` stays a float).
/// Integers and floats stay apart, so that type checks can tell `INTEGER_EXPECTED` from
/// `FLOAT_EXPECTED`.
extension JSONValue {
    /// The value as a label string: strings as they are, other scalars as JSON text.
    var labelText: String {
        switch self {
        case .string(let s): return s
        default: return serialized(numbers: .python)
        }
    }
}
