/// The layout of an output file.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Tab-separated values, comma-separated values (RFC 4180 quoting) or a JSON array.
    case tsv, csv, json

    /// The format a path's extension implies, if any.
    public init?(pathExtensionOf path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { self = .tsv }
        else if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".json") { self = .json }
        else { return nil }
    }
}

/// Renders aggregation results as TSV, CSV or JSON bytes (write them with ``AtomicFile``).
///
/// - labels: `task, label`
/// - probabilities: `task` then one column per label, in ``LabelSet`` order
/// - skills: `worker, skill`
///
/// JSON is an array of objects: `{"task": …, "label": …}`, `{"task": …, "probabilities": {label: p, …}}`,
/// `{"worker": …, "skill": …}`. Numbers are written with the fewest digits that read back to the
/// same `Double`; NaN is `nan` in TSV/CSV and `null` in JSON.
public enum ResultWriter {
    /// One `task, label` row per task of `table`; `labels` holds a label id per task id (as
    /// aggregators return them). With `threads` ≥ 2 a large TSV or CSV is rendered in parts on
    /// that many threads (the same bytes).
    public static func labels(_ table: AnswerTable, _ labels: [Int32], format: OutputFormat, threads: Int = 1) -> [UInt8] {
        if format != .json { return delimitedLabels(table, labels, format: format, threads: threads) }
        return records("task", keys: table.tasks, header: ["label"], format: format) { out, t in
            out.field("label", table.labels[Int(labels[t])])
        }
    }

    /// One row per task: the task, then its probability of each label (columns in ``LabelSet`` order).
    public static func probabilities(_ table: AnswerTable, _ p: ProbabilityMatrix, format: OutputFormat) -> [UInt8] {
        records("task", keys: table.tasks, header: table.labels.names, format: format) { out, t in
            out.beginObject("probabilities")
            for c in 0..<p.columns { out.number(table.labels[c], p[t, c]) }
            out.endObject()
        }
    }

    /// Per-worker confusion matrices, `values[(w * K + y) * K + c] = P(answer y | truth c)`: one row
    /// per (worker, label the worker gave) with a column per true label — the layout
    /// crowd-kit's `errors_` has and that Dawid-Skene's initial confusions are read from.
    public static func confusions(_ table: AnswerTable, values: [Double], observed: [Bool], format: OutputFormat) -> [UInt8] {
        let k = table.labelCount
        var out = TextBuffer(format: format)
        out.header(["worker", "label"] + table.labels.names)
        for w in 0..<table.workerCount {
            for y in 0..<k where observed[w * k + y] {
                out.beginRecord()
                out.field("worker", table.workers.name(Int32(w)))
                out.field("label", table.labels[y])
                out.beginObject("confusion")
                for c in 0..<k { out.number(table.labels[c], values[(w * k + y) * k + c]) }
                out.endObject()
                out.endRecord()
            }
        }
        return out.finish()
    }

    /// One `worker, skill` row per worker of `table`; `skills` holds a value per worker id (NaN is
    /// written as `nan` in TSV/CSV, `null` in JSON).
    public static func skills(_ table: AnswerTable, _ skills: [Double], format: OutputFormat) -> [UInt8] {
        columns("worker", keys: table.workers, columns: ["skill"], values: skills, format: format)
    }

    /// Named numbers per task or worker: `keyColumn` (the name from `keys`), then one column per
    /// entry of `columns`; `values` is row-major, `keys.count × columns.count` (GLAD's
    /// `task, beta`, MACE's `worker, spamming, knowing`, its strategies per label, …).
    public static func columns(_ keyColumn: String, keys: Interner, columns: [String], values: [Double], format: OutputFormat) -> [UInt8] {
        precondition(values.count == keys.count * columns.count, "values must fill keys × columns")
        return records(keyColumn, keys: keys, header: columns, format: format) { out, r in
            for (c, name) in columns.enumerated() { out.number(name, values[r * columns.count + c]) }
        }
    }

    /// One record per name in `keys`, in id order: the name under `keyColumn`, then what `fields`
    /// writes for that id; `header` names the columns after the key.
    private static func records(
        _ keyColumn: String, keys: Interner, header: [String], format: OutputFormat, _ fields: (inout TextBuffer, Int) -> Void
    ) -> [UInt8] {
        var out = TextBuffer(format: format)
        out.header([keyColumn] + header)
        for r in 0..<keys.count {
            out.beginRecord()
            out.field(keyColumn, keys.name(Int32(r)))
            fields(&out, r)
            out.endRecord()
        }
        return out.finish()
    }
}

/// Builds delimited or JSON text record by record.
struct TextBuffer {
    let format: OutputFormat
    private(set) var bytes: [UInt8] = []
    private var fieldsInRecord = 0
    private var records = 0
    private var inObject = false
    private var fieldsInObject = 0

    init(format: OutputFormat) {
        self.format = format
        bytes.reserveCapacity(1 << 16)
        if format == .json { bytes.append(UInt8(ascii: "[")) }
    }

    var delimiter: UInt8 { format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t") }

    mutating func header(_ names: [String]) {
        guard format != .json else { return }
        for (i, n) in names.enumerated() {
            if i > 0 { bytes.append(delimiter) }
            appendDelimited(n)
        }
        bytes.append(0x0A)
    }

    mutating func beginRecord() {
        fieldsInRecord = 0
        if format == .json {
            bytes.append(contentsOf: Array((records == 0 ? "\n  {" : ",\n  {").utf8))
        }
        records += 1
    }

    mutating func endRecord() {
        if format == .json { bytes.append(UInt8(ascii: "}")) } else { bytes.append(0x0A) }
    }

    mutating func beginObject(_ key: String) {
        guard format == .json else { return }
        separate()
        appendJSONString(key)
        bytes.append(contentsOf: Array(": {".utf8))
        inObject = true
        fieldsInObject = 0
    }

    mutating func endObject() {
        guard format == .json else { return }
        bytes.append(UInt8(ascii: "}"))
        inObject = false
    }

    mutating func field(_ key: String, _ value: String) {
        separate()
        if format == .json {
            appendJSONString(key)
            bytes.append(contentsOf: Array(": ".utf8))
            appendJSONString(value)
        } else {
            appendDelimited(value)
        }
    }

    mutating func number(_ key: String, _ value: Double) {
        separate()
        if format == .json {
            appendJSONString(key)
            bytes.append(contentsOf: Array(": ".utf8))
            bytes.append(contentsOf: Array((value.isFinite ? value.description : "null").utf8))
        } else {
            bytes.append(contentsOf: Array((value.isNaN ? "nan" : value.description).utf8))
        }
    }

    /// A list of strings: a JSON array in JSON, and its JSON text as one field in TSV/CSV
    /// (`["a", "b"]`, which the multi-label reader reads back).
    mutating func list(_ key: String, _ values: [String]) {
        var text = TextBuffer(format: .json)
        text.bytes = [UInt8(ascii: "[")]
        for (i, v) in values.enumerated() {
            if i > 0 { text.bytes.append(contentsOf: Array(", ".utf8)) }
            text.appendJSONString(v)
        }
        text.bytes.append(UInt8(ascii: "]"))
        separate()
        if format == .json {
            appendJSONString(key)
            bytes.append(contentsOf: Array(": ".utf8))
            bytes.append(contentsOf: text.bytes)
        } else {
            appendDelimited(String(decoding: text.bytes, as: UTF8.self))
        }
    }

    private mutating func separate() {
        if format == .json {
            if inObject {
                if fieldsInObject > 0 { bytes.append(contentsOf: Array(", ".utf8)) }
                fieldsInObject += 1
            } else {
                if fieldsInRecord > 0 { bytes.append(contentsOf: Array(", ".utf8)) }
                fieldsInRecord += 1
            }
        } else {
            if fieldsInRecord > 0 { bytes.append(delimiter) }
            fieldsInRecord += 1
        }
    }

    /// RFC 4180 quoting when the value holds the delimiter, a quote or a line break.
    private mutating func appendDelimited(_ s: String) {
        let d = delimiter
        if s.utf8.contains(where: { $0 == d || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            bytes.append(0x22)
            for c in s.utf8 {
                if c == 0x22 { bytes.append(0x22) }
                bytes.append(c)
            }
            bytes.append(0x22)
        } else {
            bytes.append(contentsOf: s.utf8)
        }
    }

    private mutating func appendJSONString(_ s: String) {
        bytes.append(0x22)
        for c in s.utf8 {
            switch c {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
            default: bytes.append(c)
            }
        }
        bytes.append(0x22)
    }

    mutating func finish() -> [UInt8] {
        if format == .json { bytes.append(contentsOf: Array((records == 0 ? "]\n" : "\n]\n").utf8)) }
        return bytes
    }
}
