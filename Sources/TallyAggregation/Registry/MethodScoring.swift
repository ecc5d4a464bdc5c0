import TallyCore

extension MethodRegistry {
    /// Answers with gold to fit methods that need it: the table (golden tasks' answers included)
    /// and the golden tasks' known labels.
    public struct GoldenSet: Sendable {
        /// Answers, the golden tasks' included.
        public let answers: AnswerTable
        /// The golden tasks' labels.
        public let gold: GoldLabels
        /// A golden set.
        public init(answers: AnswerTable, gold: GoldLabels) {
            self.answers = answers
            self.gold = gold
        }
    }

    /// Each method's accuracy on `answers` against `truth` (tasks without truth are not scored).
    ///
    /// Methods that cannot run on these answers' label count are left out (KOS on more than two
    /// labels), and so are methods with no scored task. A method that needs gold is fitted on
    /// `golden` (its answers include the golden tasks') and scored on `truth`; without `golden` it
    /// is an error. `parameters` go to every method that takes them.
    public static func accuracies(_ methods: [MethodDescriptor], answers: AnswerTable, truth: GoldLabels, golden: GoldenSet? = nil,
                                  parameters: MethodParameters = MethodParameters()) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for m in methods {
            let table: AnswerTable, inputs: MethodInputs
            if m.needsGold {
                guard let golden else { throw AggregationError("\(m.name) needs golden tasks, and these answers have none") }
                (table, inputs) = (golden.answers, MethodInputs(gold: golden.gold))
            } else {
                (table, inputs) = (answers, MethodInputs())
            }
            if !m.labelCounts.allows(table.labelCount) { continue }
            let e = Evaluation(labels: try m.fit(table, inputs: inputs, parameters: parameters.only(m)).labels, of: table, gold: truth)
            if e.scored > 0 { out[m.name] = e.accuracy }
        }
        return out
    }
}
