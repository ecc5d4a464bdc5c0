import Foundation
import TallyCore
import TallyQualityControl

/// The emulator's state and request handling: every object, every pool's simulation, the rate limiter.
///
/// One actor, so requests are handled one at a time against a consistent state. Before each request
/// every pool with pending events is simulated up to the current simulated time (lazily: the crowd
/// works only when someone looks), which makes a run depend only on the seed, the crowd and the
/// requests' timing. Everything is in memory; with `--state` a journal of the requests is replayed
/// at the next start (``restore(from:)``).
public actor EmulatorState {
    let configuration: EmulatorConfiguration
    let crowd: any Crowd
    var clock: EmulatorClock
    var world: World
    /// Ids that are part of the state (operations, collector uuids): replaying the journal gives the same ones.
    var rng: SplitMix64
    /// `request_id`s: drawn for every request, so kept apart from ``rng``.
    var requestRNG: SplitMix64
    /// The `--state` journal, open for appending.
    var journal: FileHandle?
    var limiter: RateLimiter
    let requesterID: String
    let companyID: String

    var projects: [Int: ProjectRecord] = [:]
    var projectOrder: [Int] = []
    var pools: [Int: PoolRecord] = [:]
    var poolOrder: [Int] = []
    /// Task id → pool id.
    var taskPools: [String: Int] = [:]
    var assignmentPools: [String: Int] = [:]
    var operations: [String: OperationRecord] = [:]
    var operationOrder: [String] = []
    var nextProjectID: Int
    var nextPoolID: Int
    var faults: [FaultRule] = []
    /// Requests handled, by HTTP status.
    var statusCounts: [Int: Int] = [:]
    /// Notes logged so far (each once), in order.
    var notes: [String] = []

    public init(_ configuration: EmulatorConfiguration, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(EmulatorConfigurationError) {
        self.configuration = configuration
        if let c = configuration.crowd { crowd = c } else { crowd = try OneCoinCrowd(seed: configuration.seed) }
        clock = EmulatorClock(speed: configuration.speed, realNow: now)
        world = World(workers: crowd.workers, seed: configuration.seed)
        var g = SplitMix64(seed: mixSeed(configuration.seed, 99))
        requesterID = g.hex(32)
        companyID = g.hex(32)
        nextProjectID = 100_000 + Int(g.next() % 10_000)
        nextPoolID = 36_000_000 + Int(g.next() % 1_000_000)
        requestRNG = SplitMix64(seed: g.next())
        rng = g
        limiter = RateLimiter(configuration.rateLimits)
    }

    /// Answers one request; never throws (errors become Toloka-shaped error responses).
    public func handle(_ request: EmulatorRequest) -> EmulatorResponse {
        let requestID = requestRNG.uuid()
        // One instant per request: every timestamp it makes is the same, and a journal replay sees it again.
        let receivedAt = clock.realNow()
        clock.override = receivedAt
        defer { clock.override = nil }
        var response: EmulatorResponse
        do {
            response = try dispatch(request)
        } catch let error as APIError {
            response = .json(error.status, error.body(requestID: requestID), headers: error.headers)
        } catch {
            response = .json(500, APIError(500, "INTERNAL_ERROR", "Internal error").body(requestID: requestID))
        }
        statusCounts[response.status, default: 0] += 1
        if journal != nil, response.status < 400, request.method != "GET", !request.path.hasPrefix("/_emulator") {
            record(request, at: receivedAt)
        }
        return response
    }

    private func dispatch(_ request: EmulatorRequest) throws -> EmulatorResponse {
        let token = try authenticate(request)
        var drop = false
        switch matchFault(request) {
        case .respond(let r): return r
        case .drop: drop = true
        case nil: break
        }
        if let error = limiter.take(client: token, categories: rateCategories(request), now: clock.realNow()) { throw error }
        advanceAll()
        var response = try route(request)
        response.dropConnection = drop
        return response
    }

    /// Checks `Authorization: ApiKey T` / `OAuth T` (spec §1.2); returns the credential.
    private func authenticate(_ request: EmulatorRequest) throws -> String {
        guard let header = request.headers["authorization"]?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw APIError(401, "AUTHENTICATION_ERROR", "Authentication required: send the header Authorization: ApiKey <key> or OAuth <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["apikey", "oauth"].contains(parts[0].lowercased()) else {
            throw APIError(401, "AUTHENTICATION_ERROR", "Unsupported authorization scheme; expected ApiKey or OAuth")
        }
        let credential = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard !credential.isEmpty, configuration.token == nil || configuration.token == credential else {
            throw APIError(401, "AUTHENTICATION_ERROR", "Invalid credentials")
        }
        return credential
    }

    private func rateCategories(_ r: EmulatorRequest) -> [String] {
        var c = ["all"]
        switch (r.method, r.path) {
        case ("POST", "/api/v1/projects"): c.append("projects")
        case ("POST", "/api/v1/pools"): c.append("pools")
        case ("POST", "/api/v1/tasks"): c.append("tasks")
        case ("POST", "/api/staging/analytics-2"): c.append("analytics")
        case ("GET", "/api/v1/assignments"): c.append("assignments")
        default: break
        }
        return c
    }

    /// Logs `line` through ``EmulatorConfiguration/log`` unless it was logged before.
    func note(_ line: String) {
        guard !notes.contains(line) else { return }
        notes.append(line)
        configuration.log?(line)
    }

    /// Simulates every pool with pending events up to now (instant mode: 30 simulated days ahead).
    func advanceAll() {
        let target = clock.simulationTarget()
        for id in poolOrder {
            let pool = pools[id]!
            if pool.hasPendingEvents { pool.advance(to: target, world: &world) }
        }
    }

    // MARK: - Routing

    func route(_ r: EmulatorRequest) throws -> EmulatorResponse {
        var segments = r.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.first == "api" { segments.removeFirst() } else if segments.first != "_emulator" {
            throw APIError(404, "DOES_NOT_EXIST", "Resource \(r.path) does not exist")
        }
        let m = r.method
        func body() throws -> JSONValue { try parseBody(r) }
        /// Captures the `:x` segments when `pattern` (e.g. `v1/pools/:id`) matches the path and `method` the method.
        func on(_ method: String, _ pattern: String) -> [String]? {
            let parts = pattern.split(separator: "/")
            guard parts.count == segments.count else { return nil }
            var captured: [String] = []
            for (p, s) in zip(parts, segments) {
                if p.hasPrefix(":") { captured.append(s) } else if p != s { return nil }
            }
            if method != m { pathMatched = true; return nil }
            return captured
        }
        var pathMatched = false
        if on("GET", "v1/requester") != nil { return .json(200, requester()) }
        if on("POST", "v1/projects") != nil { return .json(201, try createProject(body())) }
        if on("GET", "v1/projects") != nil { return .json(200, try listProjects(r.query)) }
        if let p = on("GET", "v1/projects/:id") { return .json(200, try project(p[0]).renderedJSON(owner: owner)) }
        if let p = on("PUT", "v1/projects/:id") { return .json(200, try updateProject(p[0], body())) }
        if on("POST", "v1/pools") != nil { return .json(201, try createPool(body())) }
        if on("GET", "v1/pools") != nil { return .json(200, try listPools(r.query)) }
        if let p = on("GET", "v1/pools/:id") { return .json(200, render(try pool(p[0]))) }
        if let p = on("POST", "v1/pools/:id/:action"), ["open", "close", "archive"].contains(p[1]) { return try poolAction(p[0], p[1]) }
        if on("POST", "v1/tasks") != nil { return try createTasks(body(), query: r.query) }
        if on("GET", "v1/tasks") != nil { return .json(200, try listTasks(r.query)) }
        if let p = on("GET", "v1/tasks/:id") { return .json(200, try task(p[0])) }
        if on("GET", "v1/operations") != nil { return .json(200, try listOperations(r.query)) }
        if let p = on("GET", "v1/operations/:id") { return .json(200, try readOperation(p[0])) }
        if let p = on("GET", "v1/operations/:id/log") { return .json(200, try operationLog(p[0])) }
        if on("POST", "staging/analytics-2") != nil { return .json(202, try analytics(body())) }
        if on("GET", "v1/assignments") != nil { return .json(200, try listAssignments(r.query)) }
        if let p = on("GET", "v1/assignments/:id") { return .json(200, try assignment(p[0])) }
        if let p = on("PATCH", "v1/assignments/:id") { return .json(200, try reviewAssignment(p[0], body())) }
        if on("GET", "v1/user-restrictions") != nil { return .json(200, try listRestrictions(r.query)) }
        if let p = on("GET", "new/requester/pools/:id/assignments.tsv") {
            return EmulatorResponse(status: 200, headers: [("Content-Type", "text/tab-separated-values; charset=utf-8")], body: Data(try exportTSV(p[0], query: r.query).utf8))
        }
        if on("GET", "_emulator/status") != nil { return .json(200, emulatorStatus()) }
        if on("GET", "_emulator/crowd") != nil { return .json(200, crowdJSON()) }
        if let p = on("GET", "_emulator/pools/:id/quality-control-log") { return .json(200, try qualityControlLog(p[0])) }
        if let p = on("GET", "_emulator/pools/:id/truth") {
            return EmulatorResponse(status: 200, headers: [("Content-Type", "text/tab-separated-values; charset=utf-8")], body: Data(try truthTSV(p[0]).utf8))
        }
        if on("POST", "_emulator/faults") != nil { return .json(200, try setFaults(body())) }
        if pathMatched { throw APIError(405, "METHOD_NOT_ALLOWED", "Method \(m) is not allowed for \(r.path)") }
        throw APIError(404, "DOES_NOT_EXIST", "Resource \(r.path) does not exist")
    }

    private func parseBody(_ r: EmulatorRequest) throws -> JSONValue {
        if let type = r.headers["content-type"], !type.lowercased().contains("json") {
            throw APIError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json, got \(type)")
        }
        guard !r.body.isEmpty else { throw APIError(400, "VALIDATION_ERROR", "Request body is required") }
        do {
            return try JSONValue(parsing: r.body)
        } catch {
            throw APIError(400, "VALIDATION_ERROR", "Request body is not valid JSON", payload: ["body": FieldError("INVALID_JSON", "Malformed JSON").json])
        }
    }

    // MARK: - Shared pieces

    var owner: JSONValue { ["id": .string(requesterID), "myself": true, "company_id": .string(companyID)] }

    func requester() -> JSONValue {
        ["id": .string(requesterID), "balance": .double(configuration.balance), "public_name": ["EN": "Tally Emulator"],
         "company": ["id": .string(companyID), "superintendent_id": .string(requesterID)]]
    }

    /// Reads an id path component or query value that must name an integer object (projects, pools).
    func numericID(_ s: String) -> Int? { Int(s).flatMap { $0 > 0 ? $0 : nil } }

    func project(_ id: String) throws -> ProjectRecord {
        guard let n = numericID(id), let p = projects[n] else { throw APIError.notFound("Project", id) }
        return p
    }

    func pool(_ id: String) throws -> PoolRecord {
        guard let n = numericID(id), let p = pools[n] else { throw APIError.notFound("Pool", id) }
        return p
    }

    func newOperation(type: String, parameters: JSONValue, details: JSONValue?, outcome: String = "SUCCESS", log: [JSONValue] = [], id: String? = nil) -> OperationRecord {
        let op = OperationRecord(id: id ?? rng.uuid(), type: type, parameters: parameters, details: details, submitted: clock.now(),
                                 submittedReal: clock.realNow(), outcome: outcome, log: log)
        operations[op.id] = op
        operationOrder.append(op.id)
        pruneOperations()
        return op
    }
}

extension EmulatorState {
    /// At most this many `ANALYTICS` operations are kept (the oldest go first), so that a client
    /// polling analytics forever does not grow the emulator without bound. Other operations are kept.
    static let analyticsOperationsKept = 10_000

    func pruneOperations() {
        guard operationOrder.count > Self.analyticsOperationsKept + Self.analyticsOperationsKept / 5 else { return }
        var analytics = operationOrder.lazy.filter { self.operations[$0]?.type == "ANALYTICS" }.count
        guard analytics > Self.analyticsOperationsKept else { return }
        var kept: [String] = []
        kept.reserveCapacity(operationOrder.count)
        for id in operationOrder {
            if analytics > Self.analyticsOperationsKept, operations[id]?.type == "ANALYTICS" {
                operations[id] = nil
                analytics -= 1
            } else {
                kept.append(id)
            }
        }
        operationOrder = kept
    }
}

/// The simulated clock: `speed` simulated seconds per real second from the moment the emulator starts,
/// on the Unix time scale (so timestamps look like today's). In instant mode the clock is real time,
/// and pools are simulated 30 days ahead of it.
struct EmulatorClock: Sendable {
    let speed: Double?
    let source: @Sendable () -> Double
    var start: Double
    /// While the journal is replayed: the recorded real time of the request being replayed.
    var override: Double?

    init(speed: Double?, realNow: @escaping @Sendable () -> Double) {
        self.speed = speed
        source = realNow
        start = realNow()
    }

    func realNow() -> Double { override ?? source() }

    func now() -> Double { start + (realNow() - start) * (speed ?? 1) }

    /// How far the pools' simulation runs now.
    func simulationTarget() -> Double { speed == nil ? now() + 30 * 86400 : now() }
}

extension ProjectRecord {
    func renderedJSON(owner: JSONValue) -> JSONValue {
        var o = json
        o["id"] = .string(String(id))
        o["status"] = .string(status)
        o["created"] = .string(TolokaTime.format(created))
        o["owner"] = owner
        if o["assignments_issuing_type"] == nil { o["assignments_issuing_type"] = "AUTOMATED" }
        return .object(o)
    }
}
