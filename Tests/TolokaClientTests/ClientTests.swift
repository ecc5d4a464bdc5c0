import Foundation
import Testing
@testable import TolokaClient

/// The client against the Python stub, with scripted faults.
@Suite("Toloka client over HTTP")
struct TolokaClientHTTPTests {
    /// A closed pool with 75 accepted assignments (the notebook's workflow, run to the end).
    func finishedPool(_ server: StubServer) async throws -> (TolokaAPIClient, String) {
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = server.client()
        let runner = try WorkflowRunner(workflow: notebookWorkflow(), client: client, statePath: dir.appendingPathComponent("s.json").path, outDir: dir.path)
        runner.pollInterval = 0.01
        let outcome = try await runner.run()
        return (client, outcome.poolID)
    }

    @Test("paging gets every item exactly once, in id order, across pages")
    func paging() async throws {
        let server = try await StubServer()
        let (_, pool) = try await finishedPool(server)
        let expected = try await server.stats()["assignments"]?[pool]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(expected.count == 75)
        let transport = KillSwitch()
        let client = server.client(transport: transport, pageSize: 7)
        let all = try await client.assignments(poolID: pool)
        #expect(all.map(\.id) == expected.sorted())
        #expect(Set(all.map(\.id)).count == 75)
        // Every page request says sort=id; pages after the first continue with id_gt.
        let pages = transport.seen.filter { $0.url.path.hasSuffix("/v1/assignments") }
        #expect(pages.count == 11)
        #expect(pages.allSatisfy { $0.url.query?.contains("sort=id") == true })
        #expect(pages.dropFirst().allSatisfy { $0.url.query?.contains("id_gt=") == true })
        let tasks = try await client.tasks(poolID: pool)
        #expect(tasks.count == 120 && Set(tasks.map(\.id)).count == 120)
    }

    @Test("dropped connections and truncated pages mid-listing are retried; nothing lost or repeated")
    func droppedMidPage() async throws {
        let server = try await StubServer()
        let (_, pool) = try await finishedPool(server)
        try await server.faults([
            ["match": "GET /api/v1/assignments", "kind": "truncate", "skip": 2, "times": 1],
            ["match": "GET /api/v1/assignments", "kind": "drop", "skip": 2, "times": 2],
            ["match": "GET /api/v1/assignments", "kind": "status", "status": 500, "skip": 1, "times": 1],
            ["match": "GET /api/v1/assignments", "kind": "status", "status": 503, "skip": 1, "times": 1],
        ])
        let log = LogLines()
        let client = server.client(pageSize: 10, retries: 10, log: log)
        let all = try await client.assignments(poolID: pool)
        #expect(all.count == 75 && Set(all.map(\.id)).count == 75)
        #expect(log.lines.count >= 5)
        #expect(log.lines.allSatisfy { !$0.contains(server.token) })
    }

    @Test("429 with Retry-After waits what the server asks; without it, exponential back-off")
    func retryAfter() async throws {
        let server = try await StubServer()
        try await server.faults([
            ["match": "GET /api/v1/requester", "kind": "status", "status": 429, "retry_after": "2", "times": 1],
            ["match": "GET /api/v1/requester", "kind": "status", "status": 429, "times": 1],
            ["match": "GET /api/v1/requester", "kind": "status", "status": 429, "retry_after": "Wed, 21 Oct 2015 07:28:00 GMT", "times": 1],
        ])
        let sleeper = SleepRecorder()
        let client = server.client(retries: 5, sleeper: sleeper)
        let me = try await client.requester()
        #expect(me.id == "566ec2b0ff0deeaae5f9d500629de162")
        let d = sleeper.delays
        #expect(d.count == 3)
        #expect(d[0] >= 2 && d[0] <= 2.3)          // Retry-After: 2 (+ ≤ 10 % jitter)
        #expect(d[1] > 0 && d[1] <= 0.05)          // back-off: base 0.01 · 2^1, jittered
        #expect(d[2] <= 0.001)                     // an HTTP date in the past: no wait
    }

    @Test("a real wait: Retry-After of one second takes at least a second")
    func realRetryAfter() async throws {
        let server = try await StubServer()
        try await server.faults([["match": "GET /api/v1/requester", "kind": "status", "status": 429, "retry_after": "1", "times": 1]])
        var c = TolokaAPIClient.Configuration(environment: server.environment, credential: server.credential)
        c.retry = RetryPolicy(maxRetries: 2)
        let client = TolokaAPIClient(configuration: c)
        let start = Date()
        _ = try await client.requester()
        #expect(Date().timeIntervalSince(start) >= 1)
    }

    @Test("429 with an exhausted DAY quota is not retried; a MIN quota waits for the next minute")
    func quotas() async throws {
        let server = try await StubServer()
        try await server.faults([
            ["match": "GET /api/v1/requester", "kind": "status", "status": 429, "payload": ["interval": "MIN"], "times": 1],
            ["match": "GET /api/v1/requester", "kind": "status", "status": 429, "payload": ["interval": "DAY"], "times": 1],
        ])
        let sleeper = SleepRecorder()
        let client = server.client(sleeper: sleeper)
        let error = await #expect(throws: TolokaError.self) { try await client.requester() }
        #expect(error?.code == "TOO_MANY_REQUESTS" && error?.status == 429)
        #expect(sleeper.delays.count == 1 && sleeper.delays[0] > 0 && sleeper.delays[0] <= 61)
    }

    @Test("500s: retried, then a typed error with Toloka's code, message and request_id")
    func givesUp() async throws {
        let server = try await StubServer()
        try await server.faults([["match": "GET /api/v1/pools/", "kind": "status", "status": 500, "times": 4]])
        let sleeper = SleepRecorder()
        let client = server.client(retries: 3, sleeper: sleeper)
        let error = await #expect(throws: TolokaError.self) { try await client.pool(id: "5001") }
        #expect(error?.kind == .api && error?.status == 500 && error?.code == "INTERNAL_ERROR")
        #expect(error?.message == "scripted fault" && error?.requestID?.isEmpty == false)
        #expect(error?.attempts == 4 && sleeper.delays.count == 3)
        #expect(error?.description.contains(server.token) == false)
        // Non-retryable statuses fail at once.
        let missing = await #expect(throws: TolokaError.self) { try await client.pool(id: "999") }
        #expect(missing?.status == 404 && missing?.code == "DOES_NOT_EXIST" && missing?.attempts == 1)
    }

    @Test("connection refused: retried, then a transport error")
    func refused() async throws {
        var c = TolokaAPIClient.Configuration(environment: .emulator(port: 9), credential: TolokaCredential("secret-abc", scheme: .apiKey))
        c.retry = RetryPolicy(maxRetries: 2, baseDelay: 0.01)
        let client = TolokaAPIClient(configuration: c)
        let error = await #expect(throws: TolokaError.self) { try await client.requester() }
        #expect(error?.kind == .transport && error?.attempts == 3)
        #expect(error?.description.contains("secret-abc") == false)
    }

    @Test("a slow response within the timeout is awaited")
    func slow() async throws {
        let server = try await StubServer()
        try await server.faults([["match": "GET /api/v1/requester", "kind": "slow", "seconds": 1.5, "times": 1]])
        let client = server.client()
        let start = Date()
        _ = try await client.requester()
        #expect(Date().timeIntervalSince(start) >= 1.4)
    }

    @Test("a slow response past the timeout is retried")
    func timeout() async throws {
        let server = try await StubServer()
        try await server.faults([["match": "GET /api/v1/requester", "kind": "slow", "seconds": 3, "times": 1]])
        let client = server.client(transport: URLSessionTransport(timeout: 1))
        _ = try await client.requester()
    }

    @Test("wrong token: 401 AUTHENTICATION_ERROR, the token nowhere in the error")
    func unauthorized() async throws {
        let server = try await StubServer()
        let wrong = "wrong-token-\(UUID().uuidString)"
        let client = TolokaAPIClient(environment: server.environment, credential: TolokaCredential(wrong, scheme: .oauth))
        let error = await #expect(throws: TolokaError.self) { try await client.requester() }
        #expect(error?.status == 401 && error?.code == "AUTHENTICATION_ERROR")
        #expect(error.map { "\($0)" }?.contains(wrong) == false)
    }

    @Test("task upload is idempotent: a lost answer is retried with the same operation_id and nothing is created twice")
    func idempotentUpload() async throws {
        let server = try await StubServer()
        let client = server.client()
        let project = try await client.createProject(try notebookWorkflow().project)
        var poolBody = try notebookWorkflow(fixedExpiry: true).pool
        poolBody.projectID = project.id!
        let pool = try await client.createPool(poolBody)
        try await server.faults([["match": "POST /api/v1/tasks", "kind": "lose", "times": 1]])
        let wf = try notebookWorkflow()
        let tasks = wf.uploadOrder().prefix(30).map { wf.task($0, poolID: pool.id!) }
        let op = try await client.createTasks(Array(tasks), operationID: UUID())
        #expect(op.succeeded)
        let stats = try await server.stats()
        #expect(stats["tasks"]?[pool.id!] == 30)
        #expect(stats["duplicate_tasks"]?[pool.id!] == 0)
        let posts = try await server.requests().filter { $0["method"] == "POST" && $0["path"] == "/api/v1/tasks" }
        // (libcurl may itself resend once on a dropped connection: same request, same id.)
        #expect(posts.count >= 2)
        #expect(Set(posts.map { $0["query"]?["operation_id"] }).count == 1)
    }
}
