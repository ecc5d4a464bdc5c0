import Foundation

/// Text pieces the report notebooks share: command blocks, Markdown tables, numbers.
enum NotebookText {
    /// The sentence a `--stable` notebook carries about what it leaves out.
    /// The end of a report's "how this was made" section: the command that wrote the notebook
    /// (when known) and, for `--stable` output, what was left out.
    static func provenanceEnd(reportCommand: String?, stable: Bool) -> String {
        var s = ""
        if let reportCommand { s += "\nThis notebook:\n\n" + shell([reportCommand]) }
        if stable { s += "\n" + stableNote + "\n" }
        return s
    }

    static let stableNote = "Written with `tally report --stable`: the folder the commands ran in, dates, commit ids and timings are left out, so the same data always gives this notebook byte for byte."

    /// Command lines as they should appear: with `stable`, `cd …` lines (a machine's folder) are
    /// dropped; otherwise a `cd` repeating the one before it is.
    static func commands(_ lines: [String], stable: Bool) -> [String] {
        var out: [String] = []
        var lastCD: String?
        for line in lines {
            if line.hasPrefix("cd ") {
                if stable || line == lastCD { continue }
                lastCD = line
            }
            out.append(line)
        }
        return out
    }

    /// A fenced `sh` block.
    static func shell(_ lines: [String]) -> String {
        "```sh\n" + lines.joined(separator: "\n") + "\n```\n"
    }

    /// A Markdown table; `right` marks the columns aligned right (numbers).
    static func table(_ header: [String], _ rows: [[String]], right: Set<Int> = []) -> String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var s = "| " + header.map(escape).joined(separator: " | ") + " |\n|"
        s += header.indices.map { right.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for r in rows { s += "| " + r.map(escape).joined(separator: " | ") + " |\n" }
        return s
    }

    /// `x` with `digits` decimals, `—` when missing or not finite.
    static func number(_ x: Double?, _ digits: Int = 4) -> String {
        guard let x, x.isFinite else { return "—" }
        let s = String(format: "%.\(digits)f", x)
        return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    /// `x` (a fraction) as a percentage with one decimal, `—` when missing.
    static func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "—" }
        return String(format: "%.1f %%", 100 * x)
    }

    /// An integral value without a fraction, others to `digits` significant digits.
    static func value(_ x: Double?, significant digits: Int = 6) -> String {
        guard let x, x.isFinite else { return "—" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.\(digits)g", x)
    }

    /// A list in prose: `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String], empty: String = "none") -> String {
        switch items.count {
        case 0: return empty
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }

    /// A Python string literal.
    static func pythonString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// Python that imports the crowd-kit classes of `mapped` and names them by Tally's method
    /// names: `CROWDKIT = {"mv": MajorityVote, …}` (`CROWDKIT = {}` when there are none).
    static func crowdKitTable(_ mapped: [(method: String, className: String)]) -> String {
        if mapped.isEmpty { return "CROWDKIT = {}\n" }
        var s = "from crowdkit.aggregation import \(mapped.map(\.className).sorted().joined(separator: ", "))\n\nCROWDKIT = {\n"
        s += mapped.map { "    \(pythonString($0.method)): \($0.className),\n" }.joined() + "}\n"
        return s
    }
}
