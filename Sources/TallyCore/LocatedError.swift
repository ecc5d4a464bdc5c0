/// An error that tells a person where the problem is, when that is known, and what was found.
///
/// Tally's error types adopt it for one shape of ``description``: `location: message`, or the
/// message alone when there is no location. A type supplies ``location`` and ``message``. The
/// description is ``ErrorText/sanitized(_:)``: control characters from the input are escaped and a
/// very long message is cut in the middle, so an error never replays terminal escapes or floods
/// the screen.
///
///     answers.tsv:17: field 'label': row has 2 fields, expected 3 as in the header
public protocol LocatedError: Error, Sendable, CustomStringConvertible {
    /// Where the problem is (a file, line and field; a JSON path), or nil when nowhere in particular.
    var location: String? { get }
    /// What was found and what was expected.
    var message: String { get }
}

extension LocatedError {
    /// `location: message`, or the message alone when ``location`` is nil, made safe to print
    /// (``ErrorText/sanitized(_:)``).
    public var description: String { ErrorText.sanitized(location.map { "\($0): \(message)" } ?? message) }
}
