import TallyCore

/// A problem with a scenario file, naming the JSON path and what was expected.
///
///     crowd.types[2].accuracy: expected a number from 0 to 1, got 1.5
public struct ScenarioError: LocatedError, Equatable {
    /// What went wrong, for programs.
    public enum Code: String, Sendable, Equatable {
        /// The file is not JSON.
        case invalidJSON
        /// A required field is absent.
        case missingField
        /// A field has the wrong JSON type (a string for a number, say).
        case wrongType
        /// A value is out of range or inconsistent with another one.
        case invalidValue
        /// A key the scenario format does not have (often a misspelling).
        case unknownKey
        /// The file cannot be read (`tally` exits with 66).
        case unreadable
    }

    /// The kind of problem.
    public let code: Code
    /// The JSON path (`pool.mixer_config.golden_tasks_count`), or empty for the whole file.
    public let path: String
    /// What was found and what was expected.
    public let message: String
    /// The file, when read from one.
    public var file: String?

    /// An error at `path` of `file` (the CLI also uses it for its own flags, e.g. `--seeds`).
    package init(_ code: Code, path: String, _ message: String, file: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.file = file
    }

    /// `file: path`, leaving out the parts that are not known (nil when neither is); the
    /// ``description`` is `file: path: message`.
    public var location: String? {
        let at = [file, path.isEmpty ? nil : path].compactMap { $0 }.joined(separator: ": ")
        return at.isEmpty ? nil : at
    }
}
