// libFuzzer entry point for the Toloka emulator's request handling, with no server: each input is
// a short session of requests run through a fresh emulator core (EmulatorState's pipeline and route
// table without its actor: validation, store, pool simulation), as the journal's replay runs them. Not part of the SwiftPM
// package: scripts/fuzz.sh compiles it into the TolokaEmulator module (without the Hummingbird
// adapter, TolokaEmulatorServer.swift) with `swiftc -sanitize=fuzzer,address -parse-as-library`.
//
// Input: requests separated by a line `===`; each is `METHOD /path?query` on its first line and
// the JSON body on the lines after it, e.g.
//   POST /api/v1/projects
//   {"public_name": "p", ...}
//   ===
//   GET /api/v1/projects?limit=5
// Every request carries `Authorization: ApiKey fuzz`; the simulated clock moves 30 s between
// requests. `$PROJECT` and `$POOL` in the path, query and body stand for the ids of the last
// project and pool the session created. A response is always expected (never a crash), with a status in 100...599 and, when it
// has a body, JSON the client can parse.
import Foundation
import TallyCore

/// A clock the harness moves by hand, so that a session is the same every run.
private final class FuzzClock: @unchecked Sendable {
    var now = 1_700_000_000.0
}

private let separator = Array("\n===\n".utf8)

private func sessions(_ bytes: [UInt8]) -> [EmulatorRequest] {
    var requests: [EmulatorRequest] = []
    var start = 0
    var i = 0
    var parts: [ArraySlice<UInt8>] = []
    while i + separator.count <= bytes.count {
        if bytes[i..<(i + separator.count)].elementsEqual(separator) {
            parts.append(bytes[start..<i])
            i += separator.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(bytes[start...])
    for part in parts.prefix(16) {
        let newline = part.firstIndex(of: 0x0A) ?? part.endIndex
        let line = String(decoding: part[part.startIndex..<newline], as: UTF8.self)
        let body = newline < part.endIndex ? Data(part[(newline + 1)...]) : Data()
        let words = line.split(separator: " ", maxSplits: 1)
        guard words.count == 2 else { continue }
        let target = words[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        requests.append(EmulatorRequest(method: String(words[0]), path: String(target[0]),
                                        query: EmulatorRequest.parseQuery(target.count > 1 ? String(target[1]) : nil),
                                        headers: ["authorization": "ApiKey fuzz", "content-type": "application/json"], body: body))
    }
    return requests
}

/// The emulator's core without its actor, so that a session runs synchronously in the fuzzer's
/// thread (a hop to the concurrency runtime per input left allocations in flight when libFuzzer
/// counts them, and made every input a leak check). The stages are ``EmulatorState``'s serving
/// pipeline minus the journal (no `--state` file), the route call is its `respond(to:at:through:)`.
private final class Session {
    let store: EmulatorStore
    let counts = StatusCounting(), faults = FaultInjection()
    let pipeline: Pipeline
    var requestIDs: SplitMix64

    init(now: @escaping @Sendable () -> Double) throws {
        let configuration = EmulatorConfiguration(speed: 60, seed: 7, rateLimits: .none)
        store = try EmulatorStore(configuration, now: now)
        requestIDs = SplitMix64(seed: store.requestIDSeed)
        pipeline = Pipeline(stages: [counts, ErrorRendering(), Authentication(token: nil), faults,
                                     RateLimiter(configuration.rateLimits), PoolAdvance(store: store)])
    }

    func handle(_ request: EmulatorRequest) -> EmulatorResponse {
        let time = store.clock.realNow()
        var exchange = Exchange(request: request, requestID: requestIDs.uuid(), receivedAt: time, resolution: router.resolve(request))
        store.clock.override = time
        defer { store.clock.override = nil }
        do {
            return try pipeline.run(&exchange) { exchange in
                let match = try exchange.resolution.get()
                let context = RouteContext(store: store, request: exchange.request, parameters: try match.route.pattern.parameters(match.values),
                                           faults: faults, statusCounts: counts)
                return try match.route.handler(context)
            }
        } catch {
            preconditionFailure("ErrorRendering lets no error through, got \(error)")
        }
    }
}

private let router = Router(Route.table)

@_cdecl("LLVMFuzzerTestOneInput")
public func tallyFuzzEmulator(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let requests = sessions(Array(UnsafeBufferPointer(start: data, count: size)))
    guard !requests.isEmpty else { return 0 }
    let clock = FuzzClock()
    guard let session = try? Session(now: { clock.now }) else {
        preconditionFailure("the default configuration must start")
    }
    var ids: [String: String] = ["$PROJECT": "0", "$POOL": "0"]
    for var request in requests {
        func substitute(_ text: String) -> String {
            ids.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        request.path = substitute(request.path)
        request.query = request.query.mapValues(substitute)
        if let text = String(data: request.body, encoding: .utf8), text.contains("$") { request.body = Data(substitute(text).utf8) }
        let response = session.handle(request)
        if request.method == "POST", (200...201).contains(response.status), let id = (try? JSONValue(parsing: response.body))?["id"]?.stringValue {
            if request.path == "/api/v1/projects" { ids["$PROJECT"] = id }
            if request.path == "/api/v1/pools" { ids["$POOL"] = id }
        }
        precondition((100...599).contains(response.status), "status \(response.status) for \(request.method) \(request.path)")
        if !response.body.isEmpty, response.headers.first(where: { $0.0.lowercased() == "content-type" })?.1.contains("json") ?? true {
            precondition((try? JSONValue(parsing: response.body)) != nil,
                         "\(request.method) \(request.path): a body that is not JSON: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        clock.now += 30
    }
    return 0
}
