import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore
import TallyReports
import TallySimulation

extension SimulateCommand {
    /// The registry methods for answers of `type`: `--methods` (default `all`: every method that
    /// takes the kind and needs no gold), refusing a named method that does not take the kind.
    static func methods(_ list: String?, for type: AnswerType) throws -> [MethodDescriptor] {
        let chosen = try MethodRegistry.methods(list ?? "all", for: type, all: { !$0.needsGold })
        for m in chosen where !m.accepts(type) {
            throw ValidationError("\(m.name) takes \(m.answerTypes.map(\.rawValue).joined(separator: " or ")) answers; this scenario asks \(type.rawValue) questions (methods for them: \(MethodRegistry.methods(for: type).map(\.name).joined(separator: ", ")))")
        }
        return chosen
    }

    /// `tally simulate` of a scenario with a `question` object: pairwise, numeric or text answers
    /// drawn by ``QuestionSimulation``, written in the kind's layout with the truth, and scored
    /// with the methods that take the kind.
    func runQuestions(out: String) throws {
        let start = ContinuousClock.now
        let s = try QuestionScenario.read(path: scenario)
        let methods = try Self.methods(scoring.methods, for: s.type)
        note("simulating \(s.name) (\(s.type.rawValue) questions) with seed \(seed)…", quiet: quiet)
        let run = try QuestionSimulation.run(s, seed: seed)
        let scores = try run.scores(methods, parameters: tuning.parameters)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let files = run.files(summaryJSON: run.summary(scores, commands: BenchRun.commands()))
        try AtomicFile.write(files.map { ($0.bytes, out + "/" + $0.name) })
        let line = scores.map { m in
            let p = m.score.primary
            return "\(m.method) \(p.name) \(String(format: "%.4f", p.value))"
        }.joined(separator: ", ")
        note("\(run.answers.summary); \(line.isEmpty ? "no method scored" : line) (\(seconds(since: start))); files in \(out)", quiet: quiet)
    }
}
