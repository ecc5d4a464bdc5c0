import Foundation
import Testing

/// The real data sets the parity tests read: `datasets/real/NAME/answers.tsv.gz` and
/// `gold.tsv.gz` in the repository.
///
/// A set that is not shipped (its licence does not allow redistribution; `datasets/real/catalog.tsv`
/// says which and why) is looked up in an outside copy: the folder named by `TALLY_DATASETS`,
/// else `../shared/datasets` beside the repository, as `NAME/answers.tsv` or `.tsv.gz`. When no
/// copy has it, the test case that asked is cancelled with that reason (a skip, not a failure).
public enum RealDatasets {
    /// `datasets/real` in the repository.
    public static let shipped = Repository.file("datasets/real")

    /// The outside copy for sets the repository does not ship, if there is one.
    public static let outside: URL? = {
        if let env = ProcessInfo.processInfo.environment["TALLY_DATASETS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let beside = Repository.beside("shared/datasets")
        return FileManager.default.fileExists(atPath: beside.path) ? beside : nil
    }()

    /// The answers file of data set `name`, or `nil` when no copy has it.
    public static func answersIfPresent(_ name: String) -> URL? { locate(name, "answers.tsv") }

    /// The gold file of data set `name`, or `nil` when no copy has it.
    public static func goldIfPresent(_ name: String) -> URL? { locate(name, "gold.tsv") }

    /// The answers file of data set `name`; cancels the current test (case) when no copy has it.
    public static func answers(_ name: String) throws -> URL {
        guard let url = answersIfPresent(name) else { try Test.cancel(Comment(rawValue: missing(name))) }
        return url
    }

    /// The gold file of data set `name`; cancels the current test (case) when no copy has it.
    public static func gold(_ name: String) throws -> URL {
        guard let url = goldIfPresent(name) else { try Test.cancel(Comment(rawValue: missing(name))) }
        return url
    }

    /// Whether some copy holds data set `name`.
    public static func isAvailable(_ name: String) -> Bool { answersIfPresent(name) != nil }

    /// The names the repository ships (folders of `datasets/real` with an answers file), sorted.
    public static var shippedNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: shipped.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: shipped.appendingPathComponent("\($0)/answers.tsv.gz").path) }.sorted()
    }

    private static func locate(_ name: String, _ file: String) -> URL? {
        let fm = FileManager.default
        let inRepo = shipped.appendingPathComponent("\(name)/\(file).gz")
        if fm.fileExists(atPath: inRepo.path) { return inRepo }
        guard let outside else { return nil }
        for candidate in [file, file + ".gz"] {
            let url = outside.appendingPathComponent("\(name)/\(candidate)")
            if fm.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    private static func missing(_ name: String) -> String {
        "data set \(name) is not shipped in datasets/real (its licence does not allow redistribution: see datasets/real/catalog.tsv) and no outside copy has it; set TALLY_DATASETS to a folder holding \(name)/answers.tsv to run this"
    }
}
