/// The kinds of answers Tally reads and its methods aggregate.
///
/// Each kind has its own answer table (``Answers`` holds one of them); each method of the
/// registry lists the kinds it takes, and commands refuse a method that does not take the
/// input's kind. The raw value is the CLI's spelling (`--answer-type multi-label`).
public enum AnswerType: String, Sendable, Codable, CaseIterable {
    /// One label out of a fixed set per answer (``AnswerTable``).
    case categorical
    /// A comparison of two items naming the winner (``PairwiseAnswers``).
    case pairwise
    /// A real number per answer (``NumericAnswers``).
    case numeric
    /// A set of labels per answer (``MultiLabelAnswers``).
    case multiLabel = "multi-label"
    /// Free text per answer, such as a transcription (``TextAnswers``).
    case text
}
