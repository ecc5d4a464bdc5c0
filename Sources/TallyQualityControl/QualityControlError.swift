import TallyCore

/// A problem with a quality-control configuration or a replay input, reported so that a person can fix it.
///
/// Its ``description`` names the JSON path (or file and line) and says what was expected, for example:
///
///     configs[0].rules[1].conditions[0].operator: expected one of EQ, NE, GT, GTE, LT, LTE, got "GE"
public struct QualityControlError: LocatedError, Equatable {
    /// What went wrong, in a form a program can switch on.
    public enum Code: String, Sendable, Equatable {
        /// The text is not JSON at all.
        case invalidJSON
        /// A required field is absent.
        case missingField
        /// A field has the wrong JSON type.
        case wrongType
        /// A field has a value outside what Toloka accepts.
        case invalidValue
        /// A valid Toloka setting the engine does not emulate.
        case unsupported
    }

    /// The kind of problem.
    public let code: Code
    /// Where the problem is: a JSON path such as `configs[0].rules[1].action.type`, or `file:line`.
    public let path: String
    /// What was found and what was expected.
    public let message: String

    /// An error at `path` (a JSON path or `file:line`; empty when there is none).
    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// The ``path``, or nil when it is empty; the ``description`` is `path: message`, or the
    /// message alone when there is no path.
    public var location: String? { path.isEmpty ? nil : path }
}
