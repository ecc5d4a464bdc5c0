import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore
import TolokaClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `tally toloka …`: run labelling on Toloka (or a server speaking its API) from the command line.
struct TolokaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toloka",
        abstract: "Run a labelling workflow on Toloka's API (production, the emulator, or any URL).",
        discussion: """
            The credential is read from an environment variable (--token-env, default \
            TOLOKA_TOKEN) or a file (--token-file), never from an argument, and never shown.

            Examples:
              tally toloka run datasets/toloka-audio-gender/workflow.json --env emulator \\
                --state run.json --out results/
              tally toloka pool status 36502086 --env production
              tally toloka assignments 36502086 --status ACCEPTED --out accepted.jsonl
              tally toloka requester --env https://tasks.yandex.ru/api --scheme oauth
            """,
        subcommands: [TolokaRun.self, TolokaPoolCommand.self, TolokaAssignments.self, TolokaRequester.self]
    )
}

/// Where and as whom: shared by every `tally toloka` command.
struct TolokaConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("production, emulator (http://127.0.0.1:8000), emulator:PORT, or an API URL.", valueName: "env"))
    var env: String = "production"

    @Option(help: "Environment variable holding the API key or OAuth token.")
    var tokenEnv: String = "TOLOKA_TOKEN"

    @Option(help: "Read the credential from the first line of this file instead.")
    var tokenFile: String?

    @Option(help: "Authorization scheme: apikey, oauth, or auto (guess as toloka-kit does; 'ApiKey …'/'OAuth …' prefixes are honoured).")
    var scheme: String = "auto"

    @Option(help: "Retries per request (on 408, 429, 5xx and connection errors).")
    var retries: Int = 5

    @Option(help: "Items per page when listing (default: the server's).")
    var pageSize: Int?

    @OptionGroup var common: CommonOptions
    var quiet: Bool { common.quiet }

    func environment() throws -> TolokaEnvironment {
        guard let e = TolokaEnvironment(argument: env) else {
            throw ValidationError("--env must be production, emulator, emulator:PORT or an http(s) URL; got '\(env)'")
        }
        return e
    }

    func credential() throws -> TolokaCredential {
        let s: TolokaCredential.Scheme?
        switch scheme.lowercased() {
        case "auto": s = nil
        case "apikey": s = .apiKey
        case "oauth": s = .oauth
        default: throw ValidationError("--scheme must be apikey, oauth or auto")
        }
        if let tokenFile { return try TolokaCredential.file(tokenFile, scheme: s) }
        return try TolokaCredential.environment(tokenEnv, scheme: s)
    }

    func client(credential: TolokaCredential?) throws -> TolokaAPIClient {
        var config = TolokaAPIClient.Configuration(environment: try environment(), credential: credential,
                                                   retry: RetryPolicy(maxRetries: retries), pageSize: pageSize)
        let quiet = self.quiet
        config.log = { line in note("toloka: \(credential?.redact(line) ?? line)", quiet: quiet) }
        if let v = ProcessInfo.processInfo.environment["TALLY_TOLOKA_POLL_SECONDS"], let s = Double(v) {
            // Tests and the emulator: poll operations faster.
            config.operationPollInterval = s
        }
        return TolokaAPIClient(configuration: config)
    }
}

struct TolokaRequester: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "requester", abstract: "Show the account behind the credential (checks it).")

    @OptionGroup var connection: TolokaConnectionOptions

    func run() async throws {
        let credential = try await reportingTolokaErrors { try connection.credential() }
        try await reportingTolokaErrors(credential) {
            let r = try await connection.client(credential: credential).requester()
            var lines = ["id\t\(r.id)"]
            if let b = r.balance { lines.append("balance\t\(b)") }
            if let n = r.publicName { lines.append("name\t\(n.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))") }
            if let c = r.company?.id { lines.append("company\t\(c)") }
            print(lines.joined(separator: "\n"))
        }
    }
}

struct TolokaPoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pool", abstract: "Pools.", subcommands: [TolokaPoolStatus.self])
}

struct TolokaPoolStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "A pool's status, close reason, completion and counts.")

    @Argument(help: "Pool id.")
    var id: String

    @OptionGroup var connection: TolokaConnectionOptions

    func run() async throws {
        let credential = try await reportingTolokaErrors { try connection.credential() }
        try await reportingTolokaErrors(credential) {
            let client = try connection.client(credential: credential)
            let pool = try await client.pool(id: id)
            var lines = ["pool\t\(pool.id ?? id)", "project\t\(pool.projectID)", "name\t\(pool.privateName ?? "")", "status\t\(pool.status ?? "?")"]
            if let r = pool.lastCloseReason { lines.append("close_reason\t\(r)") }
            if let s = pool.lastStarted { lines.append("last_started\t\(s)") }
            let names = ["completion_percentage", "submitted_assignments_count", "approved_assignments_count", "rejected_assignments_count", "spent_budget"]
            do {
                let r = try await client.analytics(names.map { AnalyticsRequest(subjectID: id, name: $0) })
                for e in r.entries { lines.append("\(e.name)\t\(e.value?.cellText ?? "")") }
            } catch let e as TolokaError {
                note("analytics unavailable: \(credential.redact(e.description))", quiet: connection.quiet)
            }
            print(lines.joined(separator: "\n"))
        }
    }
}

enum AssignmentFileFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, tsv
}

struct TolokaAssignments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assignments",
        abstract: "Download a pool's assignments, page by page, to a file.",
        discussion: "jsonl writes one assignment per line as the API gives it; tsv writes Toloka's \"Download results\" export (readable by tally aggregate).")

    @Argument(help: "Pool id.")
    var pool: String

    @Option(help: "Comma-separated statuses: ACTIVE, SUBMITTED, ACCEPTED, REJECTED, SKIPPED, EXPIRED.")
    var status: String = "ACCEPTED"

    @Option(help: "Output file.")
    var out: String

    @Option(help: "jsonl or tsv (default: from --out's extension, else jsonl).")
    var format: AssignmentFileFormat?

    @OptionGroup var connection: TolokaConnectionOptions

    func run() async throws {
        let credential = try await reportingTolokaErrors { try connection.credential() }
        try await reportingTolokaErrors(credential) {
            let client = try connection.client(credential: credential)
            let fmt = format ?? (out.lowercased().hasSuffix(".tsv") ? .tsv : .jsonl)
            let statuses = status.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            // Pages go to a temporary file beside the output, renamed into place at the end.
            let tmp = out + ".part-\(getpid())"
            guard FileManager.default.createFile(atPath: tmp, contents: nil), let handle = FileHandle(forWritingAtPath: tmp) else {
                throw TolokaError(kind: .invalidInput, message: "\(out): cannot create the output file")
            }
            var ok = false
            defer { try? handle.close(); if !ok { unlink(tmp) } }
            var count = 0, rows = 0
            var header: (inputs: [String], outputs: [String])?
            let progress = ProgressLine("downloading", quiet: connection.quiet)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let webRoot: String = {
                if case .production = (try? connection.environment()) ?? .production { return "https://platform.toloka.ai" }
                return ""
            }()
            try await client.forEachAssignmentPage(poolID: pool, statuses: statuses) { page in
                var data = Data()
                switch fmt {
                case .jsonl:
                    for a in page { data += try encoder.encode(a); data.append(10) }
                case .tsv:
                    if header == nil, let first = page.first?.tasks?.first {
                        let outs = Set(page.flatMap { ($0.solutions ?? []).flatMap { $0.outputValues.keys } })
                        header = (first.inputValues.keys.sorted(), outs.sorted())
                    }
                    let h = header ?? ([], [])
                    var (text, n) = RunOutputs.exportTSV(page, inputFields: h.inputs, outputFields: h.outputs, poolID: pool, webRoot: webRoot)
                    if count > 0, let nl = text.firstIndex(of: "\n") { text = String(text[text.index(after: nl)...]) }
                    rows += n
                    data = Data(text.utf8)
                }
                try handle.write(contentsOf: data)
                count += page.count
                progress.message("downloaded \(count) assignments")
            }
            progress.finish()
            try handle.synchronize()
            guard rename(tmp, out) == 0 else { throw TolokaError(kind: .invalidInput, message: "\(out): cannot move the download into place") }
            ok = true
            note("wrote \(count) assignments\(fmt == .tsv ? " (\(rows) rows)" : "") to \(out)", quiet: connection.quiet)
        }
    }
}
