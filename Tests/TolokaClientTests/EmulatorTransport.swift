import Foundation
import TallyCore
@testable import TolokaClient
@testable import TolokaEmulator

/// The emulator's core answering the client in-process: each ``HTTPRequest`` becomes an
/// ``EmulatorRequest`` handled by one ``EmulatorState`` (routes, validation, pipeline), with no
/// socket in between.
struct InProcessEmulator: HTTPTransport {
    let state: EmulatorState

    /// An emulator with the built-in crowd, instant (`speed: nil`), no rate limits, on a fixed clock.
    init(seed: UInt64 = 9, truth: TruthTable = TruthTable()) throws {
        var configuration = EmulatorConfiguration(speed: nil, seed: seed, rateLimits: .none)
        configuration.truth = truth
        state = try EmulatorState(configuration, now: { 1_780_000_000 })
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)!
        var headers: [String: String] = [:]
        for (k, v) in request.headers { headers[k.lowercased()] = v }
        let r = await state.handle(EmulatorRequest(method: request.method, path: components.path,
                                                   query: EmulatorRequest.parseQuery(components.percentEncodedQuery),
                                                   headers: headers, body: request.body ?? Data()))
        var out: [String: String] = [:]
        for (k, v) in r.headers { out[k.lowercased()] = v }
        return HTTPResponse(status: r.status, headers: out, body: r.body)
    }

    /// A client of this emulator (fast polling, quick retries), sending through `transport` when given (a wrapper of this one).
    func client(pageSize: Int? = nil, transport: (any HTTPTransport)? = nil) -> TolokaAPIClient {
        var c = TolokaAPIClient.Configuration(environment: .emulator(port: 1), credential: TolokaCredential("in-process", scheme: .oauth),
                                              retry: RetryPolicy(maxRetries: 2, baseDelay: 0.01, maxDelay: 0.02), pageSize: pageSize,
                                              operationPollInterval: 0.001)
        c.sleep = { _ in await _Concurrency.Task.yield() }
        return TolokaAPIClient(configuration: c, transport: transport ?? self)
    }

    /// A `/_emulator/…` route's JSON (outside the API root the client talks to).
    func emulatorJSON(_ path: String) async throws -> JSONValue {
        let r = await state.handle(EmulatorRequest(method: "GET", path: "/_emulator/\(path)", headers: ["authorization": "OAuth in-process"]))
        return try JSONValue(parsing: r.body)
    }

    /// Whether this build of the emulator serves `aggregate-by-pool` (the route comes with issue 20's emulator work).
    static var servesAggregation: Bool {
        Route.table.contains { $0.pattern.description == "/api/v1/aggregated-solutions/aggregate-by-pool" }
    }
}

/// Crashes the run (``SimulatedCrash``) at the first POST whose path ends with `pathSuffix`
/// (default: the main pool's creation): a run through this transport does only the steps before it.
struct StopBefore: HTTPTransport {
    let inner: any HTTPTransport
    var pathSuffix = "/api/v1/pools"
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.method == "POST" && request.url.path.hasSuffix(pathSuffix) { throw SimulatedCrash() }
        return try await inner.send(request)
    }
}
