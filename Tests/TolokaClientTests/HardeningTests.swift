import Foundation
import TallyCore
import Testing
@testable import TolokaClient

/// Loses the answer of the first request matching each of `rules` (method and path suffix): the
/// request reaches the server, then the client sees a dropped connection.
final class LosingTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport = URLSessionTransport(timeout: 5)
    private let lock = NSLock()
    private var rules: [(method: String, suffix: String)]
    private(set) var lost: [String] = []

    init(_ rules: [(String, String)]) { self.rules = rules.map { (method: $0.0, suffix: $0.1) } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await inner.send(request)
        let hit: Bool = lock.withLock {
            guard let i = rules.firstIndex(where: { request.method == $0.method && request.url.path.hasSuffix($0.suffix) }) else { return false }
            rules.remove(at: i)
            lost.append("\(request.method) \(request.url.path)")
            return true
        }
        if hit { throw TransportError("\(request.method) \(request.url.path): the connection was lost (test)") }
        return response
    }
}

@Suite("Toloka client: hardening", .serialized)
struct ClientHardeningTests {
    @Test("within one run, a lost answer to each create (project, pool, tasks, open) is settled by looking, not by creating again")
    func lostAnswersWithinARun() async throws {
        let server = try await StubServer()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let transport = LosingTransport([("POST", "/v1/projects"), ("POST", "/v1/pools"), ("POST", "/v1/tasks"), ("POST", "/open")])
        let runner = try WorkflowRunner(workflow: notebookWorkflow(batchSize: 500), client: server.client(transport: transport, pageSize: 10),
                                        statePath: dir.appendingPathComponent("state.json").path, outDir: dir.path)
        runner.pollInterval = 0.01
        _ = try await runner.run()
        #expect(transport.lost.count == 4, "\(transport.lost)")
        let stats = try await server.stats()
        #expect(stats["projects"] == 1 && stats["pools"] == 1, "\(stats)")
        let pool = stats["tasks"]?.objectValue?.keys.first ?? "?"
        #expect(stats["tasks"]?[pool] == 120 && stats["duplicate_tasks"]?[pool] == 0, "\(stats)")
        let opens = try await server.requests().filter { $0["method"] == "POST" && ($0["path"]?.stringValue ?? "").hasSuffix("/open") }
        #expect(opens.count == 1, "the open request was sent \(opens.count) times")
    }

    @Test("redaction replaces whole occurrences of the credential only")
    func redaction() {
        let short = TolokaCredential("t", scheme: .oauth)
        #expect(short.redact("tasks: batch 1 of 1 uploaded") == "tasks: batch 1 of 1 uploaded")
        let c = TolokaCredential("abcd1234efgh", scheme: .oauth)
        #expect(c.redact("GET /x?token=abcd1234efgh&y=1") == "GET /x?token=‹redacted›&y=1")
        #expect(c.redact("Authorization: OAuth abcd1234efgh.") == "Authorization: OAuth ‹redacted›.")
        #expect(c.redact("abcd1234efgh") == "‹redacted›")
        #expect(c.redact("xabcd1234efgh abcd1234efgh_2 abcd1234efgh-x") == "xabcd1234efgh abcd1234efgh_2 abcd1234efgh-x")
        #expect(c.redact("\"abcd1234efgh\", 'abcd1234efgh'") == "\"‹redacted›\", '‹redacted›'")
    }

    @Test("a credential shorter than 8 characters is refused, from the environment and from a file")
    func shortCredential() throws {
        let e = #expect(throws: TolokaError.self) { _ = try TolokaCredential.environment("TOKEN", environment: ["TOKEN": "short"]) }
        #expect(e?.kind == .invalidInput && e?.message.contains("TOKEN") == true)
        #expect(throws: Never.self) { _ = try TolokaCredential.environment("TOKEN", environment: ["TOKEN": "long-enough"]) }
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("token")
        try Data("OAuth abc\n".utf8).write(to: file)
        #expect(throws: TolokaError.self) { _ = try TolokaCredential.file(file.path) }
    }
}
