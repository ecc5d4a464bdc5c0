import Foundation
import TallyCore

/// One request on its way through the pipeline to the route table.
struct Exchange {
    let request: EmulatorRequest
    /// The `request_id` error bodies carry.
    let requestID: String
    /// When the request arrived (a replayed one: when it was recorded). The store's clock reads this
    /// instant for the whole request, so every timestamp it makes is the same.
    let receivedAt: Double
    /// The route for the request's method and path, or the 404 or 405 to answer.
    let resolution: Result<Router.Match, APIError>
    /// The client's credential, once ``Authentication`` has read it.
    var client: String?

    /// The route, when the method and path name one.
    var route: Route? { try? resolution.get().route }
}

/// One step around the route table. A stage may answer or throw instead of passing the request
/// on (`next`), and sees the response on its way back.
protocol PipelineStage {
    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse
}

/// Stages in order, outermost first, ending in the route table.
struct Pipeline {
    let stages: [any PipelineStage]

    func run(_ exchange: inout Exchange, endpoint: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        func step(_ i: Int, _ exchange: inout Exchange) throws -> EmulatorResponse {
            guard i < stages.count else { return try endpoint(&exchange) }
            return try stages[i].respond(to: &exchange) { try step(i + 1, &$0) }
        }
        return try step(0, &exchange)
    }
}

/// Turns an error thrown further in into Toloka's error body `{request_id, code, message, payload}`
/// (anything but an ``APIError`` becomes 500 `INTERNAL_ERROR`).
struct ErrorRendering: PipelineStage {
    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        do {
            return try next(&exchange)
        } catch let error as APIError {
            return .json(error.status, error.body(requestID: exchange.requestID), headers: error.headers)
        } catch {
            return .json(500, APIError(500, "INTERNAL_ERROR", "Internal error").body(requestID: exchange.requestID))
        }
    }
}

/// Counts the responses by HTTP status (`GET /_emulator/status` lists them).
final class StatusCounting: PipelineStage {
    private(set) var counts: [Int: Int] = [:]

    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        let response = try next(&exchange)
        counts[response.status, default: 0] += 1
        return response
    }
}

/// Runs every pool's simulation up to the request's instant before the route answers, so the
/// route sees the crowd's work so far.
struct PoolAdvance: PipelineStage {
    let store: EmulatorStore

    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        store.advanceAll()
        return try next(&exchange)
    }
}
