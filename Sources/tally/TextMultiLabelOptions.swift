import ArgumentParser
import TallyAggregation
import TallyCore

extension TextTokenizer: ExpressibleByArgument {}
extension TextDetokenizer: ExpressibleByArgument {}

/// `tally aggregate`'s options for text (rover) and multi-label (binary-relevance) methods; each
/// is also reachable as `--param name=value`.
struct TextMultiLabelOptions: ParsableArguments {
    @Option(help: "rover: how transcriptions are cut into words: whitespace (Python's s.split(), the default), space (s.split(\" \"), crowd-kit's tests) or character (list(s)).")
    var tokenizer: TextTokenizer?

    @Option(help: "rover: how the chosen words are joined: space (the default) or concatenate (with --tokenizer character).")
    var detokenizer: TextDetokenizer?

    @Option(help: ArgumentHelp("binary-relevance: the categorical method run on each tag (default mv), e.g. ds or glad.", valueName: "method"))
    var baseMethod: String?

    /// The registry parameters these options give.
    var values: [String: ParameterValue] {
        var out: [String: ParameterValue] = [:]
        if let tokenizer { out["tokenizer"] = .string(tokenizer.rawValue) }
        if let detokenizer { out["detokenizer"] = .string(detokenizer.rawValue) }
        if let baseMethod { out["base-method"] = .string(baseMethod) }
        return out
    }
}
