import Foundation
import TallyCore

/// `--state FILE`: a journal of the requests that changed something, replayed at start-up.
///
/// As a pipeline stage it appends every successful request on a journalled route (see
/// ``Route/isJournalled``); ``EmulatorState/restore(from:)`` replays the file through the same
/// route table, with no server running.
///
/// The file is JSON Lines. The first line is a header `{"tally_emulator_journal": 1, "start": …,
/// "seed": …, "speed": …, "crowd": …}` (the clock's origin and the settings the replay depends on;
/// `crowd` is a fingerprint of the crowd's Tolokers, so a restart with another `--crowd` is refused;
/// journals written before it was recorded restore with any crowd); then one line
/// per successful non-GET API request (`t` its real time, `method`, `path`, `query`, `body` in
/// base64), appended with a single write as the request is answered. At start-up the emulator
/// replays the lines with the clock set to each recorded time: the simulation is deterministic given
/// the seed and the requests' times, so projects, pools, tasks, assignments, restrictions and
/// operations come back with the same ids and contents. Then the clock runs on from the original
/// origin, so the crowd has "worked" through the downtime as if the server had stayed up.
/// A torn last line (a crash mid-write) is ignored. What is not restored: operations' read counts
/// (every restored operation reads as finished), the rate limiter's buckets, injected faults.
final class Journal: PipelineStage {
    static let version: Int64 = 1

    /// One recorded request: its real time and what the route table needs to answer it again.
    struct Entry {
        let time: Double
        let request: EmulatorRequest
    }

    /// The journal, open for appending; nil until ``open(_:)``.
    private var handle: FileHandle?

    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        let response = try next(&exchange)
        if handle != nil, response.status < 400, exchange.route?.isJournalled == true {
            record(exchange.request, at: exchange.receivedAt)
        }
        return response
    }

    /// Reads the journal at `path`: the clock's origin and the requests to replay, or nil when the
    /// file is missing or empty.
    /// - Throws: ``EmulatorConfigurationError`` when the file is not a journal, or was written with
    ///   another seed, speed or crowd.
    static func read(_ path: String, configuration: EmulatorConfiguration, crowd: any Crowd) throws(EmulatorConfigurationError) -> (start: Double, entries: [Entry])? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        var lines = data.split(separator: UInt8(ascii: "\n"))
        guard let first = lines.first, let header = try? JSONValue(parsing: Data(first)),
              header["tally_emulator_journal"]?.intValue == Int(version), let start = header["start"]?.doubleValue else {
            throw EmulatorConfigurationError("--state \(path): not an emulator journal (no header line)")
        }
        let seed = header["seed"]?.labelText ?? ""
        guard seed == String(configuration.seed) else {
            throw EmulatorConfigurationError("--state \(path): written with --seed \(seed); start with the same seed to restore it")
        }
        let speed = header["speed"]?.doubleValue
        guard speed == configuration.speed else {
            throw EmulatorConfigurationError("--state \(path): written with --speed \(speed.map { String($0) } ?? "instant"); start with the same speed to restore it")
        }
        if let recorded = header["crowd"]?.stringValue, recorded != fingerprint(crowd) {
            throw EmulatorConfigurationError("--state \(path): written with another crowd (its Tolokers differ); start with the same --crowd (and --seed) to restore it")
        }
        lines.removeFirst()
        let entries = lines.compactMap { line -> Entry? in
            guard let entry = try? JSONValue(parsing: Data(line)), let t = entry["t"]?.doubleValue, let method = entry["method"]?.stringValue,
                  let requestPath = entry["path"]?.stringValue else { return nil }
            let query = entry["query"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
            let body = entry["body"]?.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data()
            return Entry(time: t, request: EmulatorRequest(method: method, path: requestPath, query: query, headers: ["content-type": "application/json"], body: body))
        }
        return (start, entries)
    }

    /// Starts a new journal at `path` with its header line.
    static func create(_ path: String, start: Double, configuration: EmulatorConfiguration, crowd: any Crowd) throws(EmulatorConfigurationError) {
        let header: JSONValue = ["tally_emulator_journal": .int(version), "start": .double(start),
                                 "seed": .string(String(configuration.seed)), "speed": configuration.speed.map(JSONValue.double) ?? .null,
                                 "crowd": .string(fingerprint(crowd))]
        guard FileManager.default.createFile(atPath: path, contents: header.serializedData(numbers: .python) + Data("\n".utf8)) else {
            throw EmulatorConfigurationError("--state \(path): cannot create the file")
        }
    }

    /// Opens the journal at `path` for appending.
    func open(_ path: String) throws(EmulatorConfigurationError) {
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            self.handle = handle
        } catch {
            throw EmulatorConfigurationError("--state \(path): cannot open for appending (\(error.localizedDescription))")
        }
    }

    /// A fingerprint of the crowd: its kind and every Toloker's id, kind, accuracy and profile.
    static func fingerprint(_ crowd: any Crowd) -> String {
        let text = crowd.workers.map { "\($0.id)\t\($0.kind)\t\($0.accuracy.map { String($0) } ?? "-")\t\($0.languages.joined(separator: ","))\t\($0.clientType)" }
        return String(format: "%016llx", stableHash("\(type(of: crowd))\n" + text.joined(separator: "\n")))
    }

    /// Appends one request (one write, so a crash leaves at worst a torn last line).
    private func record(_ request: EmulatorRequest, at time: Double) {
        let entry: JSONValue = ["t": .double(time), "method": .string(request.method), "path": .string(request.path),
                                "query": .object(request.query.mapValues(JSONValue.string)), "body": .string(request.body.base64EncodedString())]
        try? handle?.write(contentsOf: entry.serializedData(numbers: .python) + Data("\n".utf8))
    }
}
