/// A problem with a scenario file, naming the JSON path and what was expected.
///
///     crowd.types[2].accuracy: expected a number from 0 to 1, got 1.5
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for programs.
    public enum Code: String, Sendable, Equatable {
        case invalidJSON, missingField, wrongType, invalidValue, unknownKey, unreadable
    }

    public let code: Code
    /// The JSON path (`pool.mixer_config.golden_tasks_count`), or empty for the whole file.
    public let path: String
    /// What was found and what was expected.
    public let message: String
    /// The file, when read from one.
    public var file: String?

    public init(_ code: Code, path: String, _ message: String, file: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.file = file
    }

    public var description: String {
        let at = [file, path.isEmpty ? nil : path].compactMap { $0 }.joined(separator: ": ")
        return at.isEmpty ? message : "\(at): \(message)"
    }
}
