import Foundation
import TallyCore

/// `--state FILE`: a journal of the requests that changed something, replayed at start-up.
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
extension EmulatorState {
    static let journalVersion: Int64 = 1

    /// Replays the journal at `path` if it has one, then keeps appending to it.
    /// - Throws: ``EmulatorConfigurationError`` when the file cannot be read or written, or was
    ///   written with another seed or speed.
    public func restore(from path: String) throws(EmulatorConfigurationError) {
        let url = URL(fileURLWithPath: path)
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            var lines = data.split(separator: UInt8(ascii: "\n"))
            guard let first = lines.first, let header = try? JSONValue(parsing: Data(first)),
                  header["tally_emulator_journal"]?.intValue == Int(Self.journalVersion), let start = header["start"]?.doubleValue else {
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
            if let recorded = header["crowd"]?.stringValue, recorded != crowdFingerprint {
                throw EmulatorConfigurationError("--state \(path): written with another crowd (its Tolokers differ); start with the same --crowd (and --seed) to restore it")
            }
            lines.removeFirst()
            clock.start = start
            for line in lines {
                guard let entry = try? JSONValue(parsing: Data(line)), let t = entry["t"]?.doubleValue, let method = entry["method"]?.stringValue,
                      let requestPath = entry["path"]?.stringValue else { continue }
                let query = entry["query"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
                let body = entry["body"]?.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data()
                clock.override = t
                advanceAll()
                _ = try? route(EmulatorRequest(method: method, path: requestPath, query: query, headers: ["content-type": "application/json"], body: body))
            }
            clock.override = nil
        } else {
            let header: JSONValue = ["tally_emulator_journal": .int(Self.journalVersion), "start": .double(clock.start),
                                     "seed": .string(String(configuration.seed)), "speed": configuration.speed.map(JSONValue.double) ?? .null,
                                     "crowd": .string(crowdFingerprint)]
            guard FileManager.default.createFile(atPath: path, contents: header.serializedData(numbers: .python) + Data("\n".utf8)) else {
                throw EmulatorConfigurationError("--state \(path): cannot create the file")
            }
        }
        do {
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            journal = handle
        } catch {
            throw EmulatorConfigurationError("--state \(path): cannot open for appending (\(error.localizedDescription))")
        }
    }

    /// A fingerprint of the crowd: its kind and every Toloker's id, kind, accuracy and profile.
    var crowdFingerprint: String {
        let text = crowd.workers.map { "\($0.id)\t\($0.kind)\t\($0.accuracy.map { String($0) } ?? "-")\t\($0.languages.joined(separator: ","))\t\($0.clientType)" }
        return String(format: "%016llx", stableHash("\(type(of: crowd))\n" + text.joined(separator: "\n")))
    }

    /// Appends one request to the journal (one write, so a crash leaves at worst a torn last line).
    func record(_ request: EmulatorRequest, at time: Double) {
        let entry: JSONValue = ["t": .double(time), "method": .string(request.method), "path": .string(request.path),
                                "query": .object(request.query.mapValues(JSONValue.string)), "body": .string(request.body.base64EncodedString())]
        try? journal?.write(contentsOf: entry.serializedData(numbers: .python) + Data("\n".utf8))
    }
}
