import Foundation
import TallyCore

/// An async client of Toloka's REST API (requester, projects, pools, tasks, operations,
/// analytics, assignments), for production, Tally's emulator, or any base URL that speaks the
/// same API.
///
/// ```swift
/// let client = TolokaAPIClient(environment: .emulator(port: 8000),
///                              credential: try .environment("TOLOKA_TOKEN"))
/// let me = try await client.requester()
/// ```
///
/// Every request is retried per ``RetryPolicy``; lists are read completely with `sort=id` and
/// an `id_gt` cursor; errors are ``TolokaError``s carrying Toloka's `code`, `message` and
/// `request_id`, and every method throws one. The credential is added to each request by the
/// client and appears nowhere else.
public struct TolokaAPIClient: Sendable {
    /// Where, as whom and how the client talks to the API. Every setting but `environment` and
    /// `credential` has a default.
    public struct Configuration: Sendable {
        /// The API root requests go to.
        public var environment: TolokaEnvironment
        /// The credential sent with every request (nil: none, e.g. for a dry run).
        public var credential: TolokaCredential?
        /// When failed requests are retried (default `RetryPolicy()`: up to 5 retries).
        public var retry: RetryPolicy
        /// The `User-Agent` header (default `tally-toloka-client/0.1`).
        public var userAgent: String
        /// Sent as `X-Act-Under-Account-ID` to act for a requester account that shared access
        /// with the credential's owner (default nil: not sent).
        public var actUnderAccountID: String?
        /// `limit` on list requests (nil: the server's default).
        public var pageSize: Int?
        /// Seconds between polls of a running operation (default 1).
        public var operationPollInterval: Double
        /// Seconds to wait for one operation to finish before throwing `.timeout` (default 3600).
        public var operationTimeout: Double
        /// One line per retry and per notable event (never the credential); default nil: silent.
        public var log: (@Sendable (String) -> Void)?
        /// How the client waits (tests replace it to record delays).
        var sleep: @Sendable (Double) async throws -> Void

        /// A configuration; the defaults are listed on each property.
        public init(environment: TolokaEnvironment, credential: TolokaCredential?, retry: RetryPolicy = RetryPolicy(),
                    userAgent: String = "tally-toloka-client/0.1", pageSize: Int? = nil,
                    operationPollInterval: Double = 1, operationTimeout: Double = 3600,
                    log: (@Sendable (String) -> Void)? = nil) {
            self.environment = environment; self.credential = credential; self.retry = retry; self.userAgent = userAgent
            self.pageSize = pageSize; self.operationPollInterval = operationPollInterval; self.operationTimeout = operationTimeout
            self.log = log
            self.sleep = { seconds in try await _Concurrency.Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
        }
    }

    /// The settings; change them before sending requests.
    public var configuration: Configuration
    let transport: any HTTPTransport

    /// A client with these settings, sending through `transport` (default: `URLSession`).
    public init(configuration: Configuration, transport: any HTTPTransport = URLSessionTransport()) {
        self.configuration = configuration
        self.transport = transport
    }

    /// A client with the default settings for `environment` and `credential`.
    public init(environment: TolokaEnvironment, credential: TolokaCredential?, transport: any HTTPTransport = URLSessionTransport()) {
        self.init(configuration: Configuration(environment: environment, credential: credential), transport: transport)
    }

    // MARK: - Requester, projects, pools

    /// `GET /v1/requester`: the account behind the credential (use it to check the credential).
    public func requester() async throws -> Requester {
        try await get("v1/requester")
    }

    /// The `metadata` key under which ``createProject(_:key:listedAfter:)`` and
    /// ``createPool(_:key:)`` store their creation key.
    public static let creationKeyField = "tally_creation_key"

    /// `POST /v1/projects`: creates the project (read-only fields are not sent, unknown fields
    /// are) and returns it as the server stored it, with its `id`.
    ///
    /// With a `key` (any unique string, e.g. a UUID) the create is idempotent: the key goes into
    /// the project's `metadata` under ``creationKeyField``, and after a failure that leaves it
    /// unknown whether the server created the project (the answer was lost, or 408/5xx) the
    /// projects created after `listedAfter` (an id; nil: all) are searched for the key before
    /// the request is sent again — a project found is returned instead of a second one made.
    public func createProject(_ project: Project, key: String? = nil, listedAfter: String? = nil) async throws -> Project {
        guard let key else { return try decodePreserving(try await send("POST", "v1/projects", body: project.creationJSON())) }
        var keyed = project
        keyed.metadata = Self.adding(key, to: project.metadata)
        return try await createOnce("v1/projects", body: keyed.creationJSON()) {
            try await projects(afterID: listedAfter).last { Self.carries($0.metadata, key) }
        }
    }

    /// `metadata` with the creation key added.
    static func adding(_ key: String, to metadata: [String: [String]]?) -> [String: [String]] {
        var m = metadata ?? [:]
        m[creationKeyField] = [key]
        return m
    }

    /// Whether `metadata` carries the creation key `key`.
    public static func carries(_ metadata: [String: [String]]?, _ key: String) -> Bool {
        metadata?[creationKeyField]?.contains(key) == true
    }

    /// POSTs a create whose lost answer is settled by `find` (see ``sendRaw(_:_:query:body:settle:)``).
    func createOnce<T: TolokaObject>(_ path: String, body: JSONValue, find: @escaping () async throws -> T?) async throws -> T {
        let response = try await sendRaw("POST", path, body: body) {
            guard let found = try await find() else { return nil }
            return HTTPResponse(status: 200, body: Data(try found.preservingJSON().serialized(numbers: .python).utf8))
        }
        return try decodePreserving(response.body)
    }

    /// `GET /v1/projects/{id}`: one project.
    public func project(id: String) async throws -> Project {
        try decodePreserving(try await send("GET", "v1/projects/\(escaped(id))"))
    }

    /// Every project matching `query` (e.g. `["status": "ACTIVE"]`), in id order, from after `afterID`.
    public func projects(query: [String: String] = [:], afterID: String? = nil) async throws -> [Project] {
        var out: [Project] = []
        try await forEachPage("v1/projects", query: query, afterID: afterID) { (page: [JSONValue]) in
            out += try page.map { try Project.decodePreservingUnknownFields($0) }
        }
        return out
    }

    /// `POST /v1/pools`: creates the pool and returns it with its `id`; ``openPool(id:lastStarted:)`` opens it.
    ///
    /// With a `key`, the create is idempotent as ``createProject(_:key:listedAfter:)`` is: the
    /// key goes into the pool's `metadata`, and a lost answer is settled by looking for it among
    /// the pools of `pool.projectID` before sending again.
    public func createPool(_ pool: Pool, key: String? = nil) async throws -> Pool {
        try await createProjectObject(pool, at: "v1/pools", key: key)
    }

    /// `GET /v1/pools/{id}`: one pool, with its current `status` and `last_close_reason`.
    public func pool(id: String) async throws -> Pool {
        try decodePreserving(try await send("GET", "v1/pools/\(escaped(id))"))
    }

    /// Every pool of a project, in id order.
    public func pools(projectID: String, query: [String: String] = [:]) async throws -> [Pool] {
        try await projectObjects(at: "v1/pools", projectID: projectID, query: query)
    }

    /// `POST /v1/pools/{id}/open`, waits for the operation (204: already open), then reads the pool.
    ///
    /// `lastStarted` is the pool's `last_started` before this call (nil: never opened). After a
    /// failure that leaves it unknown whether the server opened the pool (the answer was lost,
    /// or 408/5xx), the pool is read before the request is sent again: open, or started since
    /// (its `last_started` is no longer `lastStarted`), means the first request took effect, and
    /// the pool is not opened a second time (a pool that completed at once is not reopened).
    public func openPool(id: String, lastStarted: String? = nil) async throws -> Pool {
        try await poolAction(id: id, action: "open") {
            let pool = try await self.pool(id: id)
            return pool.isOpen || pool.lastStarted != lastStarted ? HTTPResponse(status: 204) : nil
        }
    }

    /// `POST /v1/pools/{id}/close`, waits, reads the pool.
    public func closePool(id: String) async throws -> Pool {
        try await poolAction(id: id, action: "close")
    }

    func poolAction(id: String, action: String, settle: (() async throws -> HTTPResponse?)? = nil) async throws -> Pool {
        try await projectObjectAction("pool", at: "v1/pools", id: id, action: action, settle: settle) { try await pool(id: $0) }
    }

    // MARK: - Tasks

    /// `POST /v1/tasks?operation_id=…&async_mode=true…` and waits for the operation.
    ///
    /// The `operation_id` makes the call idempotent: when the server already knows it (409
    /// `OPERATION_ALREADY_EXISTS`, e.g. a retry after a lost response) the existing operation is
    /// awaited instead, so tasks are never created twice. Throws `.operationFailed` when the
    /// operation ends in `FAIL`.
    @discardableResult
    public func createTasks(_ tasks: [TolokaTask], operationID: UUID, allowDefaults: Bool = true, openPool: Bool = false,
                            skipInvalidItems: Bool = false) async throws -> TolokaOperation {
        var query = ["operation_id": operationID.uuidString.lowercased(), "async_mode": "true"]
        if allowDefaults { query["allow_defaults"] = "true" }
        if openPool { query["open_pool"] = "true" }
        if skipInvalidItems { query["skip_invalid_items"] = "true" }
        let body = Self.taskBatchBody(try tasks.map { try $0.preservingJSON() })
        let op: TolokaOperation
        let id = operationID.uuidString.lowercased()
        do {
            // A lost answer is settled by asking for the operation: found, it is awaited rather than sent again.
            let response = try await sendRaw("POST", "v1/tasks", query: query, body: body) {
                do {
                    return HTTPResponse(status: 200, body: try await send("GET", "v1/operations/\(escaped(id))"))
                } catch let e as TolokaError where e.kind == .api && e.status == 404 {
                    return nil
                }
            }
            op = try decode(TolokaOperation.self, response.body, "POST /v1/tasks")
        } catch let e as TolokaError where e.code == "OPERATION_ALREADY_EXISTS" {
            configuration.log?("tasks: operation \(operationID.uuidString.lowercased()) already exists; waiting for it instead of sending again")
            op = try await operation(id: operationID.uuidString.lowercased())
        }
        let done = try await waitForOperation(op)
        guard done.succeeded else {
            let log = (try? await operationLog(id: done.id)) ?? []
            let errors = log.filter { $0.success == false }.prefix(3).map { ($0.output ?? .null).serialized(numbers: .python) }
            throw TolokaError(kind: .operationFailed, code: done.type, message: "task upload operation \(done.id) ended in \(done.status)\(errors.isEmpty ? "" : ": " + errors.joined(separator: "; "))")
        }
        return done
    }

    /// `POST /v1/tasks` synchronously (≤ 5,000 tasks): results keyed by request index.
    public func createTasksSync(_ tasks: [TolokaTask], operationID: UUID, allowDefaults: Bool = true, skipInvalidItems: Bool = false) async throws -> TaskBatchCreateResult {
        var query = ["operation_id": operationID.uuidString.lowercased(), "async_mode": "false"]
        if allowDefaults { query["allow_defaults"] = "true" }
        if skipInvalidItems { query["skip_invalid_items"] = "true" }
        let body = JSONValue.array(try tasks.map { try $0.preservingJSON() })
        return try decode(TaskBatchCreateResult.self, try await send("POST", "v1/tasks", query: query, body: body), "POST /v1/tasks")
    }

    /// Every task of a pool, in id order (pages of `sort=id` + `id_gt`).
    public func tasks(poolID: String, query: [String: String] = [:]) async throws -> [TolokaTask] {
        var out: [TolokaTask] = []
        try await forEachTaskPage(poolID: poolID, query: query) { out += $0 }
        return out
    }

    /// Reads a pool's tasks page by page, in id order, starting after `afterID`; `body` gets each
    /// page as it arrives. `query` adds filters (e.g. `["overlap_gte": "2"]`).
    public func forEachTaskPage(poolID: String, query: [String: String] = [:], afterID: String? = nil,
                                _ body: ([TolokaTask]) async throws -> Void) async throws {
        var q = query
        q["pool_id"] = poolID
        try await forEachPage("v1/tasks", query: q, afterID: afterID, body)
    }

    /// `GET /v1/tasks/{id}`: one task.
    public func task(id: String) async throws -> TolokaTask {
        try decodePreserving(try await send("GET", "v1/tasks/\(escaped(id))"))
    }

    // MARK: - Operations and analytics

    /// `GET /v1/operations/{id}`: an operation's current state.
    public func operation(id: String) async throws -> TolokaOperation {
        try await get("v1/operations/\(escaped(id))")
    }

    /// `GET /v1/operations/{id}/log`: what an operation did item by item (for a task upload, one
    /// entry per task: created, or the validation errors).
    public func operationLog(id: String) async throws -> [OperationLogItem] {
        try await get("v1/operations/\(escaped(id))/log")
    }

    /// Polls the operation until it is `SUCCESS` or `FAIL` (returns it either way), every
    /// `operationPollInterval` seconds. Throws `.timeout` after `timeout` seconds (default: the
    /// configuration's `operationTimeout`).
    public func waitForOperation(_ operation: TolokaOperation, timeout: Double? = nil) async throws -> TolokaOperation {
        var op = operation
        let deadline = Date().addingTimeInterval(timeout ?? configuration.operationTimeout)
        var first = true
        while !op.isTerminal {
            if Date() > deadline {
                throw TolokaError(kind: .timeout, message: "operation \(op.id) (\(op.type ?? "?")) still \(op.status) after \(Int(timeout ?? configuration.operationTimeout)) s")
            }
            try await configuration.sleep(first ? min(0.5, configuration.operationPollInterval) : configuration.operationPollInterval)
            first = false
            op = try await self.operation(id: op.id)
        }
        return op
    }

    /// `POST /staging/analytics-2` and waits for the result: up to 10 metrics (e.g.
    /// `completion_percentage`, `submitted_assignments_count`, `spent_budget`), in request order.
    /// Throws `.operationFailed` when the analytics operation fails.
    public func analytics(_ requests: [AnalyticsRequest]) async throws -> AnalyticsResult {
        let op = try decode(TolokaOperation.self, try await send("POST", "staging/analytics-2", body: JSONValue(encoding: requests)), "POST /staging/analytics-2")
        let done = try await waitForOperation(op)
        guard done.succeeded else {
            throw TolokaError(kind: .operationFailed, code: done.type, message: "analytics operation \(done.id) ended in \(done.status)")
        }
        return AnalyticsResult(done)
    }

    // MARK: - Assignments

    /// `GET /v1/assignments/{id}`: one assignment.
    public func assignment(id: String) async throws -> Assignment {
        try await get("v1/assignments/\(escaped(id))")
    }

    /// Every assignment of a pool with one of `statuses`, in id order (default: accepted ones).
    public func assignments(poolID: String, statuses: [String] = ["ACCEPTED"]) async throws -> [Assignment] {
        var out: [Assignment] = []
        try await forEachAssignmentPage(poolID: poolID, statuses: statuses) { out += $0 }
        return out
    }

    /// Reads a pool's assignments page by page (`sort=id`, then `id_gt=<last id>` while
    /// `has_more`), starting after `afterID` to resume; `body` gets each page in order.
    public func forEachAssignmentPage(poolID: String, statuses: [String] = ["ACCEPTED"], afterID: String? = nil,
                                      _ body: ([Assignment]) async throws -> Void) async throws {
        var q = ["pool_id": poolID]
        if !statuses.isEmpty { q["status"] = statuses.joined(separator: ",") }
        try await forEachPage("v1/assignments", query: q, afterID: afterID, body)
    }

    // MARK: - Paging

    /// The body of `POST /v1/tasks`: the tasks' JSON, each object tagged with its index as `__item_idx`.
    static func taskBatchBody(_ tasks: [JSONValue]) -> JSONValue {
        .array(tasks.enumerated().map { i, j in
            guard case .object(var o) = j else { return j }
            o["__item_idx"] = .string(String(i))
            return .object(o)
        })
    }

    /// The query of one page of a list endpoint: `query` with `sort=id`, the `id_gt` cursor and the page size.
    static func pageQuery(_ query: [String: String], afterID: String?, pageSize: Int?) -> [String: String] {
        var q = query
        q["sort"] = "id"
        if let afterID { q["id_gt"] = afterID }
        if let pageSize { q["limit"] = String(pageSize) }
        return q
    }

    /// Reads every page of a list endpoint with `sort=id` and an `id_gt` cursor (toloka-kit's
    /// scheme without its bug: `sort` is always sent, so no item is skipped). A page that repeats
    /// ids already seen (a server ignoring `id_gt`) is an error rather than an endless loop.
    func forEachPage<Item: Decodable & Sendable>(_ path: String, query: [String: String] = [:], afterID: String? = nil,
                                                         _ body: ([Item]) async throws -> Void) async throws {
        var cursor = afterID
        while true {
            let q = Self.pageQuery(query, afterID: cursor, pageSize: configuration.pageSize)
            let data = try await send("GET", path, query: q)
            let page = try decode(Page<JSONValue>.self, data, "GET /\(path)")
            let items: [Item]
            if Item.self == JSONValue.self, let same = page.items as? [Item] {
                items = same  // projects() and pools() take the JSON as read: no encode–decode round trip
            } else {
                items = try page.items.map { json -> Item in
                    do { return try json.decode(Item.self) } catch {
                        throw TolokaError(kind: .decoding, message: "an item of GET /\(path) is not the expected object: \(describe(error))", request: "GET /\(path)")
                    }
                }
            }
            try await body(items)
            guard page.hasMore else { return }
            guard let last = page.items.last?["id"]?.stringValue else {
                throw TolokaError(kind: .decoding, message: "has_more is true but the page has no item id to continue after", request: "GET /\(path)")
            }
            if let cursor, last <= cursor, last.count == cursor.count {
                throw TolokaError(kind: .decoding, message: "the server returned ids up to \(last) after id_gt=\(cursor); it does not honour id_gt", request: "GET /\(path)")
            }
            cursor = last
        }
    }

    // MARK: - Requests

    /// Sends a request with retries and returns the body of a 2xx answer: for endpoints this
    /// client does not model. `path` is relative to the API root (`v1/skills`); `body` is sent as
    /// JSON.
    public func send(_ method: String, _ path: String, query: [String: String] = [:], body: JSONValue? = nil) async throws -> Data {
        try await sendRaw(method, path, query: query, body: body).body
    }

    /// The request as it would be sent (without the credential): for `--dry-run` and tests.
    func makeRequest(_ method: String, _ path: String, query: [String: String] = [:], body: JSONValue? = nil, authorized: Bool = true) -> HTTPRequest {
        var components = URLComponents(url: configuration.environment.baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty {
            components.queryItems = query.keys.sorted().map { URLQueryItem(name: $0, value: query[$0]) }
            // '+' in a query value is a space to many servers; send it encoded.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        var headers = ["User-Agent": configuration.userAgent, "Accept": "application/json"]
        if authorized, let c = configuration.credential { headers["Authorization"] = c.authorizationHeader }
        if let a = configuration.actUnderAccountID { headers["X-Act-Under-Account-ID"] = a }
        var data: Data?
        if let body {
            headers["Content-Type"] = "application/json"
            data = Data(body.serialized(numbers: .python).utf8)
        }
        return HTTPRequest(method: method, url: components.url!, headers: headers, body: data)
    }

    /// Statuses after which the server may or may not have acted on the request (besides no
    /// answer at all): a create is looked up before it is sent again.
    static let ambiguousStatuses: Set<Int> = [408, 500, 502, 503, 504]

    /// Sends with retries. `settle`, when given, is asked before each re-send that follows a
    /// failure leaving it unknown whether the server acted (no answer, or an
    /// ``ambiguousStatuses`` status): an answer from it ends the call as if the server had sent
    /// it (the request took effect); nil sends the request again.
    func sendRaw(_ method: String, _ path: String, query: [String: String] = [:], body: JSONValue? = nil,
                 settle: (() async throws -> HTTPResponse?)? = nil) async throws -> HTTPResponse {
        let request = makeRequest(method, path, query: query, body: body)
        let label = "\(method) /\(path)"
        let policy = configuration.retry
        var attempt = 0
        var unsure = false
        while true {
            attempt += 1
            try _Concurrency.Task.checkCancellation()
            if unsure, let settle, let settled = try await settle() {
                configuration.log?("\(label): the lost request had taken effect; not sending it again")
                return settled
            }
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let e as TransportError {
                guard attempt <= policy.maxRetries else {
                    throw TolokaError(kind: .transport, message: redact(e.message), request: label, attempts: attempt)
                }
                let delay = policy.backoff(attempt: attempt)
                configuration.log?("\(label): \(redact(e.message)); retrying in \(String(format: "%.1f", delay)) s (attempt \(attempt + 1) of \(policy.maxRetries + 1))")
                try await configuration.sleep(delay)
                unsure = true
                continue
            }
            if (200..<300).contains(response.status) { return response }
            unsure = unsure || Self.ambiguousStatuses.contains(response.status)

            var error = apiError(response, request: label, attempts: attempt)
            guard policy.retryableStatuses.contains(response.status), attempt <= policy.maxRetries else { throw error }
            var delay: Double
            if let ra = response.headers["retry-after"], let seconds = RetryPolicy.retryAfterSeconds(ra) {
                // Honour the server's wish, with a little jitter on top so clients spread out.
                delay = seconds + Double.random(in: 0...min(1, seconds * 0.1))
            } else if response.status == 429, let interval = error.payload?["interval"]?.stringValue {
                guard interval == "MIN" else {
                    error.message += " (the \(interval) quota is exhausted; not retrying)"
                    throw error
                }
                let now = Date().timeIntervalSince1970
                delay = 60 - now.truncatingRemainder(dividingBy: 60) + Double.random(in: 0...1)
            } else {
                delay = policy.backoff(attempt: attempt)
            }
            if delay > policy.maxRetryAfter {
                error.message += " (the server asks to wait \(Int(delay)) s, more than the \(Int(policy.maxRetryAfter)) s allowed)"
                throw error
            }
            configuration.log?("\(label): HTTP \(response.status)\(error.code.map { " \($0)" } ?? ""); retrying in \(String(format: "%.1f", delay)) s (attempt \(attempt + 1) of \(policy.maxRetries + 1))")
            try await configuration.sleep(delay)
        }
    }

    private func apiError(_ r: HTTPResponse, request: String, attempts: Int) -> TolokaError {
        let json = try? JSONValue(parsing: r.body)
        let message = json?["message"]?.stringValue ?? (r.body.isEmpty ? HTTPURLResponseStatus.text(r.status) : String(decoding: r.body.prefix(300), as: UTF8.self))
        return TolokaError(kind: .api, status: r.status, code: json?["code"]?.stringValue, message: redact(message),
                           requestID: json?["request_id"]?.stringValue, payload: json?["payload"], request: request, attempts: attempts)
    }

    private func redact(_ s: String) -> String { configuration.credential?.redact(s) ?? s }

    func get<T: Decodable>(_ path: String, query: [String: String] = [:]) async throws -> T {
        try decode(T.self, try await send("GET", path, query: query), "GET /\(path)")
    }

    func decodePreserving<T: TolokaObject>(_ data: Data) throws -> T {
        do {
            return try T.decodePreservingUnknownFields(try JSONValue(parsing: data))
        } catch {
            throw TolokaError(kind: .decoding, message: "the answer is not a valid \(T.self): \(describe(error))")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ request: String) throws -> T {
        do {
            return try TolokaJSON.decoder.decode(T.self, from: data)
        } catch {
            throw TolokaError(kind: .decoding, message: "the answer is not a valid \(T.self): \(describe(error))", request: request)
        }
    }

    func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}

/// A short description of a decoding error (path and problem).
func describe(_ error: any Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    func path(_ c: [any CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
    switch e {
    case .keyNotFound(let k, let ctx): return "missing field \(path(ctx.codingPath + [k]))"
    case .typeMismatch(let t, let ctx): return "field \(path(ctx.codingPath)) is not \(t)"
    case .valueNotFound(let t, let ctx): return "field \(path(ctx.codingPath)) is null, expected \(t)"
    case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
    @unknown default: return "\(error)"
    }
}

enum HTTPURLResponseStatus {
    static func text(_ s: Int) -> String {
        switch s {
        case 400: return "bad request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not found"
        case 408: return "request timeout"
        case 409: return "conflict"
        case 429: return "too many requests"
        case 500: return "internal server error"
        case 502: return "bad gateway"
        case 503: return "service unavailable"
        case 504: return "gateway timeout"
        default: return "HTTP \(s)"
        }
    }
}
