import Foundation

/// Where the repository and the files beside it are, for tests that read shipped data sets,
/// fixtures or scripts.
public enum Repository {
    /// The repository root (this file is Tests/TallyTestSupport/Repository.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `path` inside the repository, e.g. `"datasets/toy/answers.tsv"`.
    public static func file(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// `name` beside the repository (the folder that holds it), e.g. `".venv-toloka"`.
    public static func beside(_ name: String) -> URL { root.deletingLastPathComponent().appendingPathComponent(name) }
}
