import Foundation
import TallyCore

/// The emulator's core: a request value in, a response value out, one request at a time.
///
/// An actor, so requests are answered one at a time against a consistent ``EmulatorStore``. Each
/// request passes the pipeline below, outermost first, and ends in the route table
/// (``Route/table``):
///
/// 1. status counting (`GET /_emulator/status` lists the responses by status);
/// 2. the `--state` journal (appends successful requests that can change something);
/// 3. error rendering (thrown errors become Toloka's error body);
/// 4. authentication (`Authorization: ApiKey …` / `OAuth …`);
/// 5. fault injection (the rules posted to `/_emulator/faults`);
/// 6. rate limiting (per client, for `all` and the route's category);
/// 7. advancing every pool's simulation to the request's instant.
///
/// Replaying the journal (``restore(from:)``) runs the recorded requests through error rendering,
/// pool advance and the same route table, with no server: nothing here depends on the HTTP
/// server, which only converts requests and responses (``TolokaEmulatorServer``).
public actor EmulatorState {
    let configuration: EmulatorConfiguration
    /// The account's objects; only the route handlers change them.
    let store: EmulatorStore
    let router = Router(Route.table)
    /// Stages the `/_emulator` routes read or change, so kept by name.
    let statusCounts: StatusCounting, faults: FaultInjection
    /// Appends to `--state` once ``restore(from:)`` has opened it.
    let journal: Journal
    /// `request_id`s: drawn for every request.
    var requestIDs: SplitMix64
    /// The stages live requests pass.
    let serving: Pipeline
    /// The stages replayed journal entries pass: no authentication, limits, faults, counting or journalling.
    let replaying: Pipeline

    /// - Parameter now: the real clock (Unix seconds); tests pass a manual one to step simulated time.
    public init(_ configuration: EmulatorConfiguration, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(EmulatorConfigurationError) {
        self.configuration = configuration
        let store = try EmulatorStore(configuration, now: now)
        self.store = store
        requestIDs = SplitMix64(seed: store.requestIDSeed)
        let (counts, faults, journal) = (StatusCounting(), FaultInjection(), Journal())
        (statusCounts, self.faults, self.journal) = (counts, faults, journal)
        let advance = PoolAdvance(store: store)
        serving = Pipeline(stages: [counts, journal, ErrorRendering(), Authentication(token: configuration.token), faults,
                                    RateLimiter(configuration.rateLimits), advance])
        replaying = Pipeline(stages: [ErrorRendering(), advance])
    }

    /// Answers one request; never throws (errors become Toloka-shaped error responses).
    public func handle(_ request: EmulatorRequest) -> EmulatorResponse {
        respond(to: request, at: store.clock.realNow(), through: serving)
    }

    /// Replays the `--state` journal at `path` if it has one (or starts it), then keeps appending to it.
    ///
    /// The recorded requests go through the route table again with the clock set to each one's
    /// recorded time; then the clock runs on from the journal's origin.
    /// - Throws: ``EmulatorConfigurationError`` when the file cannot be read or written, or was
    ///   written with another seed, speed or crowd.
    public func restore(from path: String) throws(EmulatorConfigurationError) {
        if let (start, entries) = try Journal.read(path, configuration: configuration, crowd: store.crowd) {
            store.clock.start = start
            for entry in entries { _ = respond(to: entry.request, at: entry.time, through: replaying) }
        } else {
            try Journal.create(path, start: store.clock.start, configuration: configuration, crowd: store.crowd)
        }
        try journal.open(path)
    }

    /// Runs `request` through `pipeline` and the route table with the store's clock pinned to `time`,
    /// so every timestamp the request makes is the same.
    func respond(to request: EmulatorRequest, at time: Double, through pipeline: Pipeline) -> EmulatorResponse {
        var exchange = Exchange(request: request, requestID: requestIDs.uuid(), receivedAt: time, resolution: router.resolve(request))
        store.clock.override = time
        defer { store.clock.override = nil }
        do {
            return try pipeline.run(&exchange) { exchange in
                let match = try exchange.resolution.get()
                let context = RouteContext(store: store, request: exchange.request, parameters: try match.route.pattern.parameters(match.values),
                                           faults: faults, statusCounts: statusCounts)
                return try match.route.handler(context)
            }
        } catch {
            // Both pipelines contain ErrorRendering, so nothing reaches here; a guard, not a path requests take.
            return .json(500, APIError(500, "INTERNAL_ERROR", "Internal error").body(requestID: exchange.requestID))
        }
    }
}
