import Foundation

/// How a `tally bench` run was made, recorded in results.json beside its `commands`.
public struct BenchRun: Codable, Sendable, Equatable {
    /// When the run started, ISO 8601 in UTC to the second.
    public var date: String
    /// The tally version (`tally --version`).
    public var tallyVersion: String
    /// The commit of the source checkout the tally binary was built in, `-dirty` appended when it
    /// had uncommitted changes to tracked files; `nil` when not known (e.g. an installed binary).
    public var gitCommit: String?
    /// The working directory the command ran in.
    public var workingDirectory: String
    /// The data set folder, as an absolute path.
    public var datasets: String

    /// A record from its fields.
    public init(date: String, tallyVersion: String, gitCommit: String?, workingDirectory: String, datasets: String) {
        self.date = date
        self.tallyVersion = tallyVersion
        self.gitCommit = gitCommit
        self.workingDirectory = workingDirectory
        self.datasets = datasets
    }

    /// The record for a run starting now in the current directory.
    package static func current(tallyVersion: String, datasets: String, date: Date = Date()) -> BenchRun {
        let cwd = FileManager.default.currentDirectoryPath
        return BenchRun(
            date: isoDate(date), tallyVersion: tallyVersion, gitCommit: gitCommit(),
            workingDirectory: cwd, datasets: absolute(datasets, from: cwd))
    }

    /// The command lines to record for this process: `cd` to the working directory, then the
    /// command as typed, with the executable shown as `tally`.
    package static func commands(arguments: [String] = CommandLine.arguments) -> [String] {
        ["cd " + shellQuoted(FileManager.default.currentDirectoryPath), shellLine(["tally"] + arguments.dropFirst())]
    }

    /// `date` as ISO 8601 in UTC to the second, e.g. `2026-05-01T12:00:00Z`.
    static func isoDate(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// `path` made absolute against `directory` and standardised (`..` and `.` resolved).
    package static func absolute(_ path: String, from directory: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: directory).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// Arguments as one line a POSIX shell reads back as the same arguments.
    package static func shellLine(_ arguments: [String]) -> String {
        arguments.map(shellQuoted).joined(separator: " ")
    }

    /// One argument, single-quoted when it holds anything but letters, digits and `_./=:,@%+-`.
    static func shellQuoted(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || "_./=:,@%+-".unicodeScalars.contains(c))
        }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The commit of the SwiftPM checkout the running executable was built in (the folder holding
    /// the `.build` folder it sits in), from `git`; `nil` for an executable not under `.build`, or
    /// when git is missing or fails. Costs two short `git` runs.
    static func gitCommit(executable: String? = Bundle.main.executablePath) -> String? {
        guard let executable else { return nil }
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" && url.lastPathComponent != ".build" { url = url.deletingLastPathComponent() }
        guard url.lastPathComponent == ".build" else { return nil }
        let root = url.deletingLastPathComponent().path
        guard let head = git(["-C", root, "rev-parse", "HEAD"]), !head.isEmpty else { return nil }
        let changes = git(["-C", root, "status", "--porcelain", "--untracked-files=no"])
        return head + (changes.map { $0.isEmpty ? "" : "-dirty" } ?? "")
    }

    private static func git(_ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
