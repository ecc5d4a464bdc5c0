import Foundation
import TallyCore
import TallySimulation

/// `tally emulator serve --crowd FILE`: a `TallySimulation` scenario (the file `tally simulate`
/// reads) or the built-in crowd's settings (``OneCoinCrowd/Configuration``), told apart by shape.
///
/// A JSON object with a `labels` or a `crowd` key is a scenario and becomes a ``ScenarioCrowd``; any
/// other object must hold only the built-in crowd's keys and becomes a ``OneCoinCrowd``. Errors name
/// the file, the format it was read as, and the field.
public enum CrowdFile {
    /// A crowd read from a file.
    public struct Loaded: Sendable {
        /// The crowd, ready for ``EmulatorConfiguration/crowd``.
        public let crowd: any Crowd
        /// `scenario` or `one-coin settings`.
        public let format: String
        /// Lines for the log (what a scenario's crowd uses and ignores).
        public let notes: [String]
    }

    /// The built-in crowd's keys (``OneCoinCrowd/Configuration``).
    static let oneCoinKeys = ["workers", "mix", "seed", "arrivals_per_minute", "continue_probability", "pause_seconds",
                              "median_suite_seconds", "suite_seconds_sigma", "non_english_share", "app_share"]

    /// Reads `path`.
    /// - Parameter seed: the server's `--seed` (a scenario's roster, label model and difficulties; the built-in crowd's default seed).
    public static func read(path: String, seed: UInt64) throws(EmulatorConfigurationError) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else { throw EmulatorConfigurationError("--crowd \(path): cannot read the file") }
        return try parse(data, name: path, seed: seed)
    }

    /// Reads a crowd file's bytes; `name` names it in errors.
    public static func parse(_ data: Data, name: String, seed: UInt64) throws(EmulatorConfigurationError) -> Loaded {
        let formats = "a TallySimulation scenario (labels, tasks, crowd with types, pool) or the built-in crowd's settings (\(oneCoinKeys.joined(separator: ", ")))"
        let value: JSONValue
        do { value = try JSONValue(parsing: data) } catch {
            throw EmulatorConfigurationError("--crowd \(name): not valid JSON; expected \(formats)")
        }
        guard let object = value.objectValue else {
            throw EmulatorConfigurationError("--crowd \(name): expected a JSON object: \(formats)")
        }
        if object["labels"] != nil || object["crowd"] != nil {
            let scenario: Scenario
            do { scenario = try Scenario.decode(data) } catch {
                throw EmulatorConfigurationError("--crowd \(name): read as a TallySimulation scenario (it has \(object["labels"] != nil ? "labels" : "crowd")): \(error.path.isEmpty ? "" : error.path + ": ")\(error.message)")
            }
            let crowd = try ScenarioCrowd(scenario, seed: seed)
            return Loaded(crowd: crowd, format: "scenario", notes: crowd.notes)
        }
        if let unknown = object.keys.sorted().first(where: { !oneCoinKeys.contains($0) }) {
            throw EmulatorConfigurationError("--crowd \(name): unknown key \"\(unknown)\"; expected \(formats)")
        }
        let settings: OneCoinCrowd.Configuration
        do { settings = try JSONDecoder().decode(OneCoinCrowd.Configuration.self, from: data) } catch {
            throw EmulatorConfigurationError("--crowd \(name): read as the built-in crowd's settings: \(describe(error))")
        }
        do {
            return Loaded(crowd: try OneCoinCrowd(settings, seed: seed), format: "one-coin settings", notes: [])
        } catch {
            throw EmulatorConfigurationError("--crowd \(name): read as the built-in crowd's settings: \(error.message.hasPrefix("crowd: ") ? String(error.message.dropFirst(7)) : error.message)")
        }
    }

    /// A decoding error as `field: what was wrong`.
    static func describe(_ error: any Error) -> String {
        func path(_ p: [any CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
        }
        switch error as? DecodingError {
        case .typeMismatch(let type, let c)?: return "\(path(c.codingPath)): expected \(type == Double.self ? "a number" : type == Int.self || type == UInt64.self ? "an integer" : type == String.self ? "a string" : "\(type)")"
        case .valueNotFound(_, let c)?: return "\(path(c.codingPath)): missing value"
        case .keyNotFound(let key, let c)?: return "\(path(c.codingPath + [key])): missing"
        case .dataCorrupted(let c)?: return "\(path(c.codingPath)): \(c.debugDescription)"
        default: return "\(error)"
        }
    }
}
