import Foundation

/// Creates a fresh, empty directory under the system's temporary directory, named
/// `prefix-UUID`; the caller removes it.
public func makeTempDirectory(_ prefix: String = "tally-tests") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A fresh directory under the system's temporary directory, removed when `body` returns.
public func withTempDirectory<R>(_ prefix: String = "tally-tests", _ body: (URL) throws -> R) throws -> R {
    let dir = try makeTempDirectory(prefix)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

/// ``withTempDirectory(_:_:)`` for an `async` body.
public func withTempDirectoryAsync<R>(_ prefix: String = "tally-tests", _ body: (URL) async throws -> R) async throws -> R {
    let dir = try makeTempDirectory(prefix)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try await body(dir)
}

/// Writes `bytes` to `name` inside `dir` and returns the file's path.
@discardableResult
public func writeFile(_ dir: URL, _ name: String, _ bytes: [UInt8]) throws -> String {
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

/// Writes `text` as UTF-8 to `name` inside `dir` and returns the file's path.
@discardableResult
public func writeFile(_ dir: URL, _ name: String, _ text: String) throws -> String {
    try writeFile(dir, name, Array(text.utf8))
}

/// The text of `name` inside `dir`, or nil when there is no such file.
public func readText(_ dir: URL, _ name: String) -> String? {
    FileManager.default.contents(atPath: dir.appendingPathComponent(name).path).map { String(decoding: $0, as: UTF8.self) }
}

/// Names in a directory, hidden ones (temporary files) included, sorted.
public func listing(_ dir: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
}
