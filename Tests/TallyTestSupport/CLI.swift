import Foundation

/// Runs the `tally` executable as a subprocess.
///
/// No test target depends on the `tally` executable target: `swift build --build-tests` (and
/// `swift test`) build every product of the package, so the binary lands beside the test runner.
public enum CLI {
    /// Why the binary could not be found, and how to build it.
    public struct NotFound: Error, CustomStringConvertible {
        public let searched: [String]
        public init(searched: [String]) { self.searched = searched }
        public var description: String {
            "the tally executable was not found; build it with `swift build --build-tests` (or `swift build --product tally`), "
                + "or set TALLY_BINARY to its path (looked in: \(searched.joined(separator: ", ")))"
        }
    }

    /// Where the executable may be: $TALLY_BINARY, beside the test runner (SwiftPM puts the
    /// products of one build in one directory), then the repository's .build/debug.
    public static let candidates: [URL] = {
        var dirs: [URL] = []
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        if let arg0 = CommandLine.arguments.first, !arg0.isEmpty {
            dirs.append(URL(fileURLWithPath: arg0).deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        dirs.append(Bundle.main.bundleURL)
        dirs.append(Repository.file(".build/debug"))
        var urls = dirs.map { $0.appendingPathComponent("tally").standardizedFileURL }
        if let env = ProcessInfo.processInfo.environment["TALLY_BINARY"], !env.isEmpty {
            urls.insert(URL(fileURLWithPath: env), at: 0)
        }
        return urls
    }()

    /// The first candidate that is an executable file, if any.
    public static let binary: URL? = candidates.first { url in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && !isDir.boolValue
            && FileManager.default.isExecutableFile(atPath: url.path)
    }

    /// The binary, or ``NotFound`` saying where it was looked for and how to build it.
    public static func tally() throws -> URL {
        guard let binary else { throw NotFound(searched: candidates.map(\.path)) }
        return binary
    }

    /// What a run printed and how it exited.
    public struct Output: Sendable {
        public let status: Int32
        public let stdoutData: Data
        public let stderr: String
        public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    }

    /// Runs `tally args…` in `directory`; `stdin` is fed through a pipe; `environment` is merged
    /// into this process's environment, and the variables in `unset` are removed from it.
    public static func run(_ args: [String], in directory: URL, stdin: Data? = nil, environment extra: [String: String] = [:],
                           unset: [String] = []) throws -> Output {
        try run(executable: try tally(), args, in: directory, stdin: stdin, extra: extra, unset: unset)
    }

    /// Runs `tally args…` through `/bin/sh -c script` (the script gets the binary as "$0").
    public static func runShell(_ script: String, _ args: [String], in directory: URL) throws -> Output {
        try run(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", script, try tally().path] + args, in: directory, stdin: nil)
    }

    private static func run(executable: URL, _ args: [String], in directory: URL, stdin: Data?, extra: [String: String] = [:],
                            unset: [String] = []) throws -> Output {
        // Output goes to files, not pipes, so that a chatty process can never block on a full pipe.
        let capture = try makeTempDirectory("tally-cli-capture")
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
        for name in unset { environment[name] = nil }
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
