import Foundation
import Testing

/// Runs the `tally` executable that `swift build` put beside this test bundle.
enum CLI {
    /// The repository root (this file is Tests/TallyCLITests/CLISupport.swift).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared/datasets`, beside the repository.
    static let sharedDatasets = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets")

    struct NotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "the tally executable was not found; build it with `swift build` (looked in: \(searched.joined(separator: ", ")); or set TALLY_BINARY)"
        }
    }

    /// Where the executable may be: $TALLY_BINARY, beside the test runner (SwiftPM puts the
    /// products of one build in one directory), then the repository's .build/debug.
    static let candidates: [URL] = {
        var dirs: [URL] = []
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        if let arg0 = CommandLine.arguments.first, !arg0.isEmpty {
            dirs.append(URL(fileURLWithPath: arg0).deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        dirs.append(Bundle.main.bundleURL)
        dirs.append(repoRoot.appendingPathComponent(".build/debug"))
        var urls = dirs.map { $0.appendingPathComponent("tally").standardizedFileURL }
        if let env = ProcessInfo.processInfo.environment["TALLY_BINARY"], !env.isEmpty {
            urls.insert(URL(fileURLWithPath: env), at: 0)
        }
        return urls
    }()

    static let binary: URL? = candidates.first { url in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && !isDir.boolValue
            && FileManager.default.isExecutableFile(atPath: url.path)
    }

    static func tally() throws -> URL {
        guard let binary else { throw NotFound(searched: candidates.map(\.path)) }
        return binary
    }

    struct Output: Sendable {
        let status: Int32
        let stdoutData: Data
        let stderr: String
        var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    }

    /// Runs `tally args…` in `directory`; `stdin` is fed through a pipe.
    static func run(_ args: [String], in directory: URL, stdin: Data? = nil, environment extra: [String: String] = [:]) throws -> Output {
        try run(executable: try tally(), args, in: directory, stdin: stdin, extra: extra)
    }

    /// Runs `tally args…` through `/bin/sh -c script` (the script gets the binary as "$0").
    static func runShell(_ script: String, _ args: [String], in directory: URL) throws -> Output {
        try run(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", script, try tally().path] + args, in: directory, stdin: nil)
    }

    private static func run(executable: URL, _ args: [String], in directory: URL, stdin: Data?, extra: [String: String] = [:]) throws -> Output {
        // Output goes to files, not pipes, so that a chatty process can never block on a full pipe.
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("tally-cli-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout"), errURL = capture.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = directory
        p.standardOutput = out
        p.standardError = err
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        environment.merge(extra) { $1 }
        p.environment = environment
        let pipe = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : pipe
        try p.run()
        if let stdin {
            let writer = pipe.fileHandleForWriting
            let thread = Thread {
                writer.write(stdin)
                try? writer.close()
            }
            thread.start()
        }
        p.waitUntilExit()
        try? pipe.fileHandleForReading.close()
        return Output(
            status: p.terminationStatus,
            stdoutData: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}

/// A fresh directory under the system's temporary directory, removed when `body` returns.
func withTempDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-cli-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

@discardableResult
func writeFile(_ dir: URL, _ name: String, _ bytes: [UInt8]) throws -> String {
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

@discardableResult
func writeFile(_ dir: URL, _ name: String, _ text: String) throws -> String {
    try writeFile(dir, name, Array(text.utf8))
}

func readText(_ dir: URL, _ name: String) -> String? {
    FileManager.default.contents(atPath: dir.appendingPathComponent(name).path).map { String(decoding: $0, as: UTF8.self) }
}

/// Names in a directory, hidden ones (temporary files) included.
func listing(_ dir: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
}
