import ArgumentParser
import Foundation
import TallyAggregation

/// `tally methods`: the method registry, for people (text) and programs (JSON).
struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods",
        abstract: "List the aggregation methods: what each is, what it takes, and its parameters' defaults.",
        discussion: """
            Every command that takes methods (aggregate --method, bench/simulate/study/qc replay \
            --methods, toloka run --method) reads this list.

            Example:
              tally methods
              tally methods --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "text or json.")
    var format: Format = .text

    func run() throws {
        let text = format == .json ? Self.json() : Self.text()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func text() -> String {
        var s = ""
        for family in MethodFamily.allCases {
            let methods = MethodRegistry.all.filter { $0.family == family }
            guard !methods.isEmpty else { continue }
            s += "\(family.rawValue)\n"
            for m in methods {
                s += "  \(m.name.padding(toLength: max(11, m.name.count + 1), withPad: " ", startingAt: 0))\(m.title): \(m.summary)\n"
                var facts = ["answers: \(m.answerTypes.map(\.rawValue).joined(separator: ", "))"]
                if m.accepts(.categorical) { facts.append("labels: \(m.labelCounts == .two ? "exactly two" : "any number")") }
                if m.needsGold { facts.append("needs gold") }
                facts.append("crowd-kit: \(m.crowdKitClass ?? "none")")
                s += "             \(facts.joined(separator: "; "))\n"
                s += "             \(m.citation)\n"
                for p in m.parameters {
                    let choices = p.choices.map { " (\($0.joined(separator: "|")))" } ?? ""
                    let compat = p.crowdKitValue.map { "; --compat crowd-kit: \($0)" } ?? ""
                    s += "             --\(p.name) \(p.defaultValue)\(choices)\(compat): \(p.summary)\n"
                }
            }
            s += "\n"
        }
        return s
    }

    static func json() -> String {
        func value(_ v: ParameterValue) -> Any {
            switch v {
            case .int(let x): return x
            case .unsigned(let x): return x
            case .double(let x): return x
            case .string(let x): return x
            case .flag(let x): return x
            }
        }
        let methods: [[String: Any]] = MethodRegistry.all.map { m in
            [
                "name": m.name, "title": m.title, "summary": m.summary, "citation": m.citation, "family": m.family.rawValue,
                "crowd_kit_class": m.crowdKitClass ?? NSNull(), "answer_types": m.answerTypes.map(\.rawValue),
                "label_counts": m.labelCounts.rawValue, "needs_gold": m.needsGold, "outputs": m.tables + (m.makesConfusions ? ["confusions"] : []),
                "parameters": m.parameters.map { p -> [String: Any] in
                    var o: [String: Any] = ["name": p.name, "summary": p.summary, "default": value(p.defaultValue), "type": p.defaultValue.typeName]
                    if let c = p.choices { o["choices"] = c }
                    if let c = p.crowdKitValue { o["crowd_kit"] = value(c) }
                    return o
                },
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["methods": methods], options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
