import Foundation

/// `tally emulator serve --port 0 …` running as a subprocess on a free loopback port.
public struct EmulatorProcess {
    /// The running server.
    public let process: Process
    /// Its base URL, as it printed it (`http://127.0.0.1:PORT`).
    public let url: String

    /// The port in ``url``.
    public var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    /// Starts `tally emulator serve --port 0` followed by `arguments`, with `environment` merged
    /// into this process's (pass the token there, never in `arguments`); its standard error goes
    /// to `log`. Waits up to `timeout` seconds for the server to print its URL, and throws with
    /// the log's text when it does not (or exits first).
    public static func start(_ arguments: [String], environment: [String: String] = [:], log: URL,
                             timeout: TimeInterval = 60) throws -> EmulatorProcess {
        let server = Process()
        server.executableURL = try CLI.tally()
        server.arguments = ["emulator", "serve", "--port", "0"] + arguments
        server.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        server.standardError = try FileHandle(forWritingTo: log)
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                return EmulatorProcess(process: server, url: String(text[r]))
            }
            if !server.isRunning { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        server.terminate()
        server.waitUntilExit()
        throw NotStarted(log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Stops the server and waits for it to exit.
    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// The server printed no URL.
    public struct NotStarted: Error, CustomStringConvertible {
        public let log: String
        public var description: String { "the emulator printed no URL: \(log)" }
    }
}
