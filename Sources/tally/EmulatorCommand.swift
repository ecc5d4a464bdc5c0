import ArgumentParser
import Foundation
import TolokaEmulator

/// `tally emulator …`: Toloka's API on loopback, with a simulated crowd.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run an offline emulator of Toloka's requester API.",
        subcommands: [Serve.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve Toloka's REST API on loopback, with simulated Tolokers doing the tasks.",
            discussion: """
                Clients (toloka-kit, Tally's own client) talk to it by changing only the URL and the \
                token: toloka-kit's TolokaClient(token, url='http://127.0.0.1:8000'). When a pool \
                opens, simulated Tolokers take task suites built by the pool's mixer, answer from \
                each task's hidden true label (a control task's known solution; for general tasks \
                the --truth file, else a draw from the crowd scenario's class prior, else a uniform \
                draw among the pool's answer options; a drawn label depends only on --seed and the \
                task's input values; GET /_emulator/pools/ID/truth lists them) and are restricted \
                by the pool's own quality-control rules. The pool closes as COMPLETED when every general task has its \
                overlap. State is kept in memory; with --state FILE every request that changed \
                something is journalled and replayed at the next start (with the same --seed, \
                --speed, --crowd and --truth), so projects, pools, tasks, assignments and bans \
                survive a restart.

                The token comes from --token, --token-env (default TALLY_EMULATOR_TOKEN) or --token-file; \
                without one any non-empty token is accepted. The token is never printed.

                --speed N runs N simulated seconds per real second (default 60); --speed instant \
                finishes a pool's work as soon as it opens. --crowd FILE is either a TallySimulation \
                scenario (the JSON tally simulate reads, e.g. \
                datasets/toloka-audio-gender/crowd-scenario.json): its worker types, arrivals, \
                sessions, response times and class prior drive the crowd, and its other task, pool \
                and simulation settings are ignored (the pools come from the API); or the built-in \
                crowd's settings (workers, mix of accuracies, arrivals_per_minute, …; see \
                OneCoinCrowd). A file with a labels or crowd key is read as a scenario. --truth FILE is a TSV with input columns (path or INPUT:path) and a \
                label column (label, truth, GOLDEN:result or OUTPUT:result). --rate-limit sets \
                token-bucket limits as CATEGORY=N/UNIT,… (categories all, projects, pools, tasks, \
                analytics, assignments; units s, min, hour, day) or none; the default is Toloka's \
                documented all=300/s,projects=20/min,projects=100/day,pools=20/min,pools=100/day.

                Example:
                  tally emulator serve --port 8000 --speed instant --truth datasets/truth.tsv
                  tally emulator serve --speed instant --crowd datasets/toloka-audio-gender/crowd-scenario.json
                """
        )

        @Option(help: "Address to bind (loopback by default).")
        var host: String = "127.0.0.1"

        @Option(help: "Port (0 picks a free one; the URL is printed on stderr).")
        var port: Int = 8000

        @Option(help: "The token clients must send. Shows in ps: prefer --token-env or --token-file.")
        var token: String?

        @Option(help: "Environment variable holding the token clients must send.")
        var tokenEnv: String = "TALLY_EMULATOR_TOKEN"

        @Option(help: "File holding the token clients must send (first line).")
        var tokenFile: String?

        @Option(help: "The crowd: a TallySimulation scenario JSON, or the built-in crowd's settings as JSON.")
        var crowd: String?

        @Option(help: "Simulated seconds per real second, or instant.")
        var speed: String = "60"

        @Option(help: "Seed of the crowd, the answers and the ids.")
        var seed: UInt64 = 1

        @Option(help: "Run the clock this many days behind real time (with --speed instant, 31 puts a pool's simulated month in the past, as toloka-kit 1.x's streaming cursors need).")
        var backdate: Double = 0

        @Option(help: "TSV of general tasks' true labels.")
        var truth: String?

        @Option(help: "Rate limits, e.g. all=300/s,pools=20/min, or none.")
        var rateLimit: String?

        @Option(help: "Journal file: replayed at start-up (same --seed and --speed), appended to while serving.")
        var state: String?

        func run() async throws {
            let configuration: EmulatorConfiguration
            do {
                configuration = try makeConfiguration()
            } catch let error as EmulatorConfigurationError {
                printError(error.message)
                throw ExitCode(2)
            }
            let server: TolokaEmulatorServer
            do { server = try TolokaEmulatorServer(configuration) } catch {
                printError(error.message)
                throw ExitCode(2)
            }
            let host = self.host
            let authNote = configuration.token == nil ? "any non-empty token is accepted" : token != nil ? "token from --token" : "token from \(tokenFile ?? "$" + tokenEnv)"
            do {
                try await serve(server, configuration: configuration, host: host, authNote: authNote)
            } catch let error as EmulatorConfigurationError {
                printError(error.message)
                throw ExitCode(2)
            }
        }

        func printNote(_ line: String) {
            FileHandle.standardError.write(Data("tally emulator: \(line)\n".utf8))
        }

        func serve(_ server: TolokaEmulatorServer, configuration: EmulatorConfiguration, host: String, authNote: String) async throws {
            try await server.run(host: host, port: port, handleSignals: true) { port in
                let shown = host.contains(":") ? "[\(host)]" : host
                FileHandle.standardError.write(Data("tally emulator: serving Toloka's API at http://\(shown):\(port) (toloka-kit url=\"http://\(shown):\(port)\"; \(authNote); speed \(configuration.speed.map { "\($0)×" } ?? "instant"))\n".utf8))
            }
        }

        func makeConfiguration() throws -> EmulatorConfiguration {
            var c = EmulatorConfiguration(seed: seed)
            if let token {
                guard !token.isEmpty else { throw EmulatorConfigurationError("--token: empty") }
                c.token = token
            } else if let tokenFile {
                guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                    throw EmulatorConfigurationError("--token-file \(tokenFile): cannot read the file")
                }
                let token = text.split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
                guard !token.isEmpty else { throw EmulatorConfigurationError("--token-file \(tokenFile): the file is empty") }
                c.token = token
            } else if let token = ProcessInfo.processInfo.environment[tokenEnv], !token.isEmpty {
                c.token = token
            }
            guard backdate >= 0, backdate.isFinite else { throw EmulatorConfigurationError("--backdate: expected a number of days ≥ 0, got \(backdate)") }
            c.clockLag = backdate * 86_400
            if speed.lowercased() == "instant" {
                c.speed = nil
            } else {
                guard let s = Double(speed), s > 0, s.isFinite else {
                    throw EmulatorConfigurationError("--speed: expected a positive number or instant, got \(speed)")
                }
                c.speed = s
            }
            if let crowd {
                let loaded = try CrowdFile.read(path: crowd, seed: seed)
                c.crowd = loaded.crowd
                for line in loaded.notes { printNote(line) }
            }
            c.log = { line in FileHandle.standardError.write(Data("tally emulator: \(line)\n".utf8)) }
            if let truth { c.truth = try TruthTable.read(path: truth) }
            if let rateLimit { c.rateLimits = try RateLimits(parsing: rateLimit) }
            c.statePath = state
            return c
        }
    }
}
