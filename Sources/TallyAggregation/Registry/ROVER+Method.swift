import TallyCore

extension ROVER {
    /// `rover` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "rover", title: "ROVER",
        summary: "Aligns each task's transcriptions into a word transition network and takes the majority word of each slot (crowd-kit's ROVER).",
        citation: "Fiscus (1997), A post-processing system to yield reduced word error rates: Recognizer Output Voting Error Reduction (ROVER), IEEE ASRU",
        family: .texts, crowdKitClass: "ROVER", accepts: [.text],
        parameters: [
            ParameterDescriptor("tokenizer", "whitespace: Python's s.split() (runs of whitespace); space: s.split(\" \") (every space, empty words kept; crowd-kit's tests); character: list(s) (code points).",
                                default: .string(TextTokenizer.whitespace.rawValue), choices: TextTokenizer.allCases.map(\.rawValue)),
            ParameterDescriptor("detokenizer", "space: \" \".join(words); concatenate: \"\".join(words) (for the character tokenizer).",
                                default: .string(TextDetokenizer.space.rawValue), choices: TextDetokenizer.allCases.map(\.rawValue)),
        ]
    ) { answers, _, p in
        guard case .text(let texts) = answers else { throw answers.refusal(by: "rover", takes: "text answers") }
        var result = MethodResult()
        result.taskTexts = ROVER(tokenizer: p.choice("tokenizer"), detokenizer: p.choice("detokenizer"), execution: p.execution).fit(texts)
        return result
    }
}
