import Foundation
import TallyCore
import Testing
@testable import TolokaEmulator

/// The route table, the router and the pipeline, driven through the core without a server.
@Suite("Emulator: route table and pipeline")
struct RouteTableTests {
    /// A path that fits `pattern`: integer parameters `1`, other parameters `sample`.
    static func samplePath(_ pattern: PathPattern) -> String {
        "/" + pattern.segments.map { segment in
            switch segment {
            case .literal(let text): text
            case .integer: "1"
            case .string: "sample"
            }
        }.joined(separator: "/")
    }

    /// Whether one path could fit both patterns.
    static func overlap(_ a: PathPattern, _ b: PathPattern) -> Bool {
        guard a.segments.count == b.segments.count else { return false }
        return zip(a.segments, b.segments).allSatisfy { x, y in
            switch (x, y) {
            case (.literal(let s), .literal(let t)): s == t
            case (.literal(let s), .integer), (.integer, .literal(let s)): Int(s).map { $0 > 0 } ?? false
            default: true
            }
        }
    }

    static func request(_ method: String, _ path: String, query: [String: String] = [:], json: JSONValue? = nil, token: String = "T") -> EmulatorRequest {
        EmulatorRequest(method: method, path: path, query: query,
                        headers: ["authorization": "OAuth \(token)", "content-type": "application/json"],
                        body: json?.serializedData(numbers: .python) ?? Data())
    }

    @Test("every route is reachable: no two routes overlap, and each route's own sample request reaches it")
    func reachable() async throws {
        let table = Route.table
        let router = Router(table)
        for (i, a) in table.enumerated() {
            for b in table[(i + 1)...] where a.method == b.method {
                #expect(!Self.overlap(a.pattern, b.pattern), "\(a.method.rawValue) \(a.pattern) and \(b.pattern) overlap: the later one is shadowed")
            }
            let match = try router.resolve(EmulatorRequest(method: a.method.rawValue, path: Self.samplePath(a.pattern))).get()
            #expect(match.route.method == a.method && match.route.pattern == a.pattern, "\(a.method.rawValue) \(Self.samplePath(a.pattern)) reached \(match.route.pattern)")
        }

        // Through the whole core: no sample request gets the router's own 404 or 405.
        let state = try EmulatorState(EmulatorConfiguration(speed: nil, rateLimits: .none))
        for route in table {
            let response = await state.handle(Self.request(route.method.rawValue, Self.samplePath(route.pattern)))
            let body = try? JSONValue(parsing: response.body)
            #expect(body?["code"]?.stringValue != "METHOD_NOT_ALLOWED", "\(route.method.rawValue) \(route.pattern)")
            #expect(body?["message"]?.stringValue?.hasPrefix("Resource ") != true, "\(route.method.rawValue) \(route.pattern): \(body ?? .null)")
        }

        // Unknown paths, wrong methods and ids that are not integers: Toloka's 404 and 405.
        let unknown = try JSONValue(parsing: await state.handle(Self.request("GET", "/api/v1/nothing-here")).body)
        #expect(unknown["code"] == "DOES_NOT_EXIST" && unknown["message"] == "Resource /api/v1/nothing-here does not exist")
        let wrongMethod = await state.handle(Self.request("DELETE", "/api/v1/pools/12"))
        #expect(wrongMethod.status == 405)
        #expect(try JSONValue(parsing: wrongMethod.body)["message"] == "Method DELETE is not allowed for /api/v1/pools/12")
        let badID = await state.handle(Self.request("GET", "/api/v1/pools/abc"))
        #expect(badID.status == 404)
        #expect(try JSONValue(parsing: badID.body)["message"] == "Pool with id abc does not exist")
        #expect(await state.handle(Self.request("GET", "/api/v1/projects/0")).status == 404)
    }

    @Test("every route's rate category is one --rate-limit accepts, each category has its routes, and a category's limit stops only them")
    func rateCategories() async throws {
        #expect(RateLimits.categories == Set(RateCategory.allCases.map(\.rawValue)))
        let limited = Route.table.filter { $0.rate != .all }
        let documented: Set<String> = ["POST /api/v1/projects projects", "POST /api/v1/pools pools", "POST /api/v1/tasks tasks",
                                       "POST /api/staging/analytics-2 analytics", "GET /api/v1/assignments assignments"]
        #expect(Set(limited.map { "\($0.method.rawValue) \($0.pattern) \($0.rate.rawValue)" }) == documented)

        for category in RateCategory.allCases where category != .all {
            let limits = try RateLimits(parsing: "\(category.rawValue)=1/min")
            let state = try EmulatorState(EmulatorConfiguration(speed: nil, rateLimits: limits), now: { 1_780_000_000 })
            let routes = Route.table.filter { $0.rate == category }
            #expect(!routes.isEmpty, "no route draws on \(category.rawValue)")
            for route in routes {
                let sample = Self.request(route.method.rawValue, Self.samplePath(route.pattern))
                #expect(await state.handle(sample).status != 429)
                let second = await state.handle(sample)
                #expect(second.status == 429, "\(route.method.rawValue) \(route.pattern)")
                #expect(try JSONValue(parsing: second.body)["payload"]?["interval"] == "MIN")
                #expect(second.headers.contains { $0.0 == "Retry-After" && $0.1 == "60" })
                // another client has its own bucket
                #expect(await state.handle(Self.request(route.method.rawValue, Self.samplePath(route.pattern), token: "other")).status != 429)
            }
            for route in Route.table where route.rate != category {
                #expect(await state.handle(Self.request(route.method.rawValue, Self.samplePath(route.pattern))).status != 429,
                        "\(route.method.rawValue) \(route.pattern) is not in \(category.rawValue)")
            }
        }
    }

    @Test("pipeline order: authentication before 404, faults before the rate limiter, every response counted")
    func pipelineOrder() async throws {
        let state = try EmulatorState(EmulatorConfiguration(token: "T", speed: nil, rateLimits: try RateLimits(parsing: "all=2/min")), now: { 1_780_000_000 })
        #expect(await state.handle(Self.request("GET", "/api/v1/nothing-here", token: "wrong")).status == 401)
        let set = await state.handle(Self.request("POST", "/_emulator/faults", json: ["faults": [["path_prefix": "/api/v1/requester", "status": 503, "count": 2]]]))
        #expect(set.status == 200)
        // A faulted request never reaches the limiter: two 503s, then the one request left in the bucket (the POST took the other).
        #expect(await state.handle(Self.request("GET", "/api/v1/requester")).status == 503)
        #expect(await state.handle(Self.request("GET", "/api/v1/requester")).status == 503)
        #expect(await state.handle(Self.request("GET", "/api/v1/requester")).status == 200)
        #expect(await state.handle(Self.request("GET", "/api/v1/requester")).status == 429)
        // The status route is limited too; its own response is counted after it answers.
        let status = try JSONValue(parsing: await state.handle(Self.request("GET", "/_emulator/status")).body)
        #expect(status["code"] == "TOO_MANY_REQUESTS")
        let fresh = try EmulatorState(EmulatorConfiguration(speed: nil, rateLimits: .none))
        _ = await fresh.handle(Self.request("GET", "/api/v1/requester", token: ""))
        _ = await fresh.handle(Self.request("GET", "/api/v1/nothing-here"))
        _ = await fresh.handle(Self.request("GET", "/api/v1/requester"))
        let counts = try JSONValue(parsing: await fresh.handle(Self.request("GET", "/_emulator/status")).body)["responses_by_status"]
        #expect(counts == ["401": 1, "404": 1, "200": 1])
    }
}
