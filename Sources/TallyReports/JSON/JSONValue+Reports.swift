import Foundation
import TallyCore

/// Numbers as reports show them: `null` for a missing or non-finite value, rounded so that reruns
/// differ less and specs stay short.
extension JSONValue {
    /// A number, or `null` for a missing value (JSON has no NaN or infinity).
    static func number(_ x: Double?) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        return .double(x)
    }

    /// `x` rounded to `digits` decimals (e.g. an accuracy to 4, as the TSV shows it), `null` if
    /// missing or not finite.
    static func rounded(_ x: Double?, decimals digits: Int) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        let scale = pow(10, Double(digits))
        return .double((x * scale).rounded() / scale)
    }

    /// `x` rounded to `digits` significant digits (e.g. a time, so that reruns differ less and
    /// a spec stays short), `null` if missing or not finite.
    static func rounded(_ x: Double?, significant digits: Int) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        return .double(Double(String(format: "%.\(digits)g", x)) ?? x)
    }
}
