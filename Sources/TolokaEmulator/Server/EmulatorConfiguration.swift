import Foundation
import TallyCore

/// How an emulator runs: credentials, clock, crowd, truth, limits.
public struct EmulatorConfiguration: Sendable {
    /// The credential clients must send (`Authorization: ApiKey T` or `OAuth T`); nil accepts any non-empty one.
    public var token: String?
    /// Simulated seconds per real second; nil = instant (a pool's crowd runs to the end as soon as it can).
    public var speed: Double?
    /// Seeds the crowd, the answers and the ids.
    public var seed: UInt64
    /// The crowd; nil = ``OneCoinCrowd`` with its default configuration.
    public var crowd: (any Crowd)?
    /// Hidden true labels of general tasks (those it has no row for get the crowd's label model's).
    public var truth: TruthTable
    /// Per-client request limits; ``RateLimits/toloka`` by default, ``RateLimits/none`` for none.
    public var rateLimits: RateLimits
    /// The requester's balance shown by `GET /requester` (USD).
    public var balance: Double
    /// `--state FILE`: the journal replayed at start-up and appended to while serving; nil = memory only.
    public var statePath: String?
    /// Seconds the emulator's clock reads behind real time (`--backdate DAYS` × 86,400; 0 by
    /// default). Timestamps, `will_expire` checks and the pools' simulation all use the lagged
    /// clock; a journal must be replayed with the same lag.
    public var clockLag: Double = 0
    /// Where the emulator's notes go (e.g. how a scenario crowd's labels are matched to a pool's
    /// options), one line each, each once; nil = nowhere (they are still listed by `GET /_emulator/status`).
    public var log: (@Sendable (String) -> Void)?

    /// A configuration; the defaults are an emulator at 60× speed with the built-in crowd, seed 1,
    /// Toloka's rate limits and a balance of 1000 USD, accepting any credential.
    public init(token: String? = nil, speed: Double? = 60, seed: UInt64 = 1, crowd: (any Crowd)? = nil,
                truth: TruthTable = TruthTable(), rateLimits: RateLimits = .toloka, balance: Double = 1000) {
        self.token = token
        self.speed = speed
        self.seed = seed
        self.crowd = crowd
        self.truth = truth
        self.rateLimits = rateLimits
        self.balance = balance
    }
}

/// Hidden true labels for general tasks, read from `--truth FILE`.
///
/// The file is TSV with a header row. Input columns are named by input field, bare (`path`) or as
/// Toloka's export names them (`INPUT:path`); the label column is the one named `label`, `truth`,
/// `GOLDEN:<field>` or `OUTPUT:<field>` (the first such). A task whose `input_values` equal a row's
/// inputs (compared as text) has that row's label; tasks matching no row get a label drawn from the
/// answer options by a hash of their inputs and the seed (the same task always gets the same label).
/// A two-column file with no such label column (the notebook's `url<TAB>sex`) maps the value of a
/// task's only input field (whatever its name) to the label in the second column; so does a
/// single bare input column (e.g. `task<TAB>label`) when a task has no field of that name.
///
///     INPUT:path<TAB>GOLDEN:result          url<TAB>sex
///     https://example.com/a.mp3<TAB>male    https://example.com/a.mp3<TAB>male
public struct TruthTable: Sendable {
    var fields: [String] = []
    var labels: [String: String] = [:]
    /// One bare (not `INPUT:`) input column: also matched against a task's only input field
    /// when no field has its name (Tally's `task<TAB>label` truth files).
    var bareSingleColumn = false

    /// An empty table: every task's label comes from the crowd's label model.
    public init() {}

    /// How many rows (distinct inputs) the table has.
    public var count: Int { labels.count }

    /// Reads the TSV text described above.
    public init(tsv: String, name: String = "truth") throws(EmulatorConfigurationError) {
        var lines = tsv.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" }.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
        guard !lines.isEmpty else { throw EmulatorConfigurationError("\(name): empty; expected a header row and label rows") }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var anyField = false
        var labelColumn: Int
        if let c = header.firstIndex(where: { $0 == "label" || $0 == "truth" || $0.hasPrefix("GOLDEN:") || $0.hasPrefix("OUTPUT:") }) {
            labelColumn = c
        } else if header.count == 2 {
            labelColumn = 1
            anyField = true
        } else {
            throw EmulatorConfigurationError("\(name):1: no label column; expected one named label, truth, GOLDEN:<field> or OUTPUT:<field>, or exactly two columns (input value, label)")
        }
        let inputColumns = header.indices.filter { $0 != labelColumn && !header[$0].hasPrefix("GOLDEN:") && !header[$0].hasPrefix("OUTPUT:") && !header[$0].hasPrefix("ASSIGNMENT:") && !header[$0].hasPrefix("HINT:") }
        guard !inputColumns.isEmpty else { throw EmulatorConfigurationError("\(name):1: no input columns") }
        fields = anyField ? [Self.anyField] : inputColumns.map { header[$0].hasPrefix("INPUT:") ? String(header[$0].dropFirst(6)) : header[$0] }
        bareSingleColumn = !anyField && inputColumns.count == 1 && !header[inputColumns[0]].hasPrefix("INPUT:")
        for (n, line) in lines.enumerated() {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == header.count else {
                throw EmulatorConfigurationError("\(name):\(n + 2): \(cells.count) cells; the header has \(header.count)")
            }
            labels[inputColumns.map { cells[$0] }.joined(separator: "\u{1F}")] = cells[labelColumn]
        }
    }

    /// Reads a truth file.
    public static func read(path: String) throws(EmulatorConfigurationError) -> TruthTable {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw EmulatorConfigurationError("\(path): cannot read (\(error.localizedDescription))")
        }
        return try TruthTable(tsv: text, name: path)
    }

    static let anyField = "\u{1F}any"

    func label(for inputs: [String: JSONValue]) -> String? {
        guard !fields.isEmpty else { return nil }
        if fields == [Self.anyField] {
            guard inputs.count == 1 else { return nil }
            return labels[inputs.values.first!.labelText]
        }
        var key: [String] = []
        for f in fields {
            guard let v = inputs[f] else {
                if bareSingleColumn, inputs.count == 1 { return labels[inputs.values.first!.labelText] }
                return nil
            }
            key.append(v.labelText)
        }
        return labels[key.joined(separator: "\u{1F}")]
    }
}
