import Foundation
import TallyCore
import Testing
import TallyTestSupport
#if canImport(Glibc)
import Glibc
#endif
@testable import TolokaClient

enum Paths {
    static let fixtures = Repository.file("Tests/TolokaClientTests/Fixtures")
    static let workflow = Repository.file("datasets/toloka-audio-gender/workflow.json")

    static func temporaryDirectory() throws -> URL { try makeTempDirectory("tally-toloka") }
}

/// The Python stub of Toloka's API (Fixtures/toloka_stub.py) on a free loopback port.
final class StubServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let token: String

    init(token: String = "stub-token-\(UUID().uuidString.prefix(8))", closeAfterPolls: Int = 2) async throws {
        self.token = token
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("toloka-stub-\(UUID().uuidString).port")
        defer { try? FileManager.default.removeItem(at: portFile) }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Paths.fixtures.appendingPathComponent("toloka_stub.py").path, "--token", token,
                             "--close-after-polls", String(closeAfterPolls), "--port-file", portFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait (without blocking a thread) for the server to write its port.
        var found: Int?
        for _ in 0..<600 {
            if let d = FileManager.default.contents(atPath: portFile.path), let p = Int(String(decoding: d, as: UTF8.self)) { found = p; break }
            if !process.isRunning { break }
            try await _Concurrency.Task.sleep(nanoseconds: 50_000_000)
        }
        guard let found else {
            process.terminate()
            throw TolokaError.invalidInput("the stub server did not start")
        }
        port = found
    }

    deinit { stop() }

    func stop() {
        let pid = process.processIdentifier
        if pid > 0 { kill(pid, SIGTERM) }
    }

    var environment: TolokaEnvironment { .emulator(port: port) }
    var credential: TolokaCredential { TolokaCredential(token, scheme: .apiKey) }

    /// Calls a /_control endpoint.
    @discardableResult
    func control(_ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let url = URL(string: "http://127.0.0.1:\(port)/_control/\(path)")!
        let request = HTTPRequest(method: body == nil ? "GET" : "POST", url: url, headers: ["Content-Type": "application/json"],
                                  body: body.map { Data($0.serialized(numbers: .python).utf8) })
        let response = try await URLSessionTransport(timeout: 10).send(request)
        return try JSONValue(parsing: response.body)
    }

    func faults(_ list: [JSONValue]) async throws { try await control("faults", .array(list)) }
    func stats() async throws -> JSONValue { try await control("stats") }
    func requests() async throws -> [JSONValue] { try await control("requests").arrayValue ?? [] }
    func reset() async throws { try await control("reset", .object([:])) }
}

/// A simulated crash: the process "dies" at a chosen request.
struct SimulatedCrash: Error {}

/// Wraps a transport: counts requests; can crash before request `killBefore` (1-based) or
/// right after request `loseAfter` reached the server (its answer is lost).
final class KillSwitch: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    private let lock = NSLock()
    private(set) var count = 0
    var killBefore: Int?
    var loseAfter: Int?
    private(set) var seen: [HTTPRequest] = []

    init(_ inner: any HTTPTransport = URLSessionTransport(timeout: 5), killBefore: Int? = nil, loseAfter: Int? = nil) {
        self.inner = inner; self.killBefore = killBefore; self.loseAfter = loseAfter
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let n: Int = lock.withLock { count += 1; seen.append(request); return count }
        if n == killBefore { throw SimulatedCrash() }
        let r = try await inner.send(request)
        if n == loseAfter { throw SimulatedCrash() }
        return r
    }
}

/// Records the delays the client asks for, and sleeps only briefly.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _delays: [Double] = []
    var delays: [Double] { lock.withLock { _delays } }
    var sleep: @Sendable (Double) async throws -> Void {
        { [self] d in
            lock.withLock { _delays.append(d) }
            try await _Concurrency.Task.sleep(nanoseconds: 2_000_000)
        }
    }
}

/// Collects log lines.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    var lines: [String] { lock.withLock { _lines } }
    var sink: @Sendable (String) -> Void { { [self] l in lock.withLock { _lines.append(l) } } }
}

extension StubServer {
    func client(transport: any HTTPTransport = URLSessionTransport(timeout: 5), pageSize: Int? = nil, retries: Int = 4,
                sleeper: SleepRecorder? = SleepRecorder(), log: LogLines? = nil) -> TolokaAPIClient {
        var c = TolokaAPIClient.Configuration(environment: environment, credential: credential, retry: RetryPolicy(maxRetries: retries, baseDelay: 0.01, maxDelay: 0.05),
                                              pageSize: pageSize, operationPollInterval: 0.01)
        if let sleeper { c.sleep = sleeper.sleep }
        c.log = log?.sink
        return TolokaAPIClient(configuration: c, transport: transport)
    }
}

/// The shipped audio-gender workflow, with changes for a test.
func notebookWorkflow(batchSize: Int? = nil, fixedExpiry: Bool = false) throws -> Workflow {
    var json = try JSONValue(parsing: Data(contentsOf: Paths.workflow))
    guard case .object(var o) = json else { throw TolokaError.invalidInput("workflow") }
    if let batchSize, case .object(var t) = o["tasks"]! { t["batch_size"] = .int(Int64(batchSize)); o["tasks"] = .object(t) }
    if fixedExpiry, case .object(var p) = o["pool"]! {
        p["will_expire"] = "2026-01-01T00:00:00"
        o["pool"] = .object(p)
        o["pool_expires_in_days"] = nil
    }
    json = .object(o)
    let dir = Paths.workflow.deletingLastPathComponent()
    return try Workflow(json: json, file: Paths.workflow.path) { name in
        let u = dir.appendingPathComponent(name)
        return (u.path, try Data(contentsOf: u))
    }
}
