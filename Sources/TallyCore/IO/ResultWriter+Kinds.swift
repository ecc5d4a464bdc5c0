extension ResultWriter {
    /// One `item, score` row per item, in `order` (item ids; ``rankOrder(_:names:)`` gives the
    /// ranking): pairwise methods' scores, `scores` indexed by item id.
    public static func itemScores(_ items: Interner, _ scores: [Double], order: [Int32], format: OutputFormat) -> [UInt8] {
        var out = TextBuffer(format: format)
        out.header(["item", "score"])
        for id in order {
            out.beginRecord()
            out.field("item", items.name(id))
            out.number("score", scores[Int(id)])
            out.endRecord()
        }
        return out.finish()
    }

    /// Item ids from the highest score to the lowest; equal scores (and NaN, last) keep the
    /// order of `names` (the ``LabelSet`` order of the item names).
    public static func rankOrder(_ scores: [Double], names: LabelSet, items: Interner) -> [Int32] {
        let ids = names.names.map { items.lookup($0)! }
        return ids.enumerated().sorted { a, b in
            let x = scores[Int(a.element)], y = scores[Int(b.element)]
            if x.isNaN != y.isNaN { return !x.isNaN }
            if x != y && !x.isNaN { return x > y }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// One `task, value` row per task id: numeric methods' estimates.
    public static func taskValues(_ tasks: Interner, _ values: [Double], format: OutputFormat) -> [UInt8] {
        columns("task", keys: tasks, columns: ["value"], values: values, format: format)
    }

    /// One `task, text` row per task id: text methods' outputs.
    public static func taskTexts(_ tasks: Interner, _ texts: [String], format: OutputFormat) -> [UInt8] {
        var out = TextBuffer(format: format)
        out.header(["task", "text"])
        for t in 0..<tasks.count {
            out.beginRecord()
            out.field("task", tasks.name(Int32(t)))
            out.field("text", texts[t])
            out.endRecord()
        }
        return out.finish()
    }

    /// One `task, labels` row per task id: multi-label methods' label sets (label ids into
    /// `labels`), written as a JSON list (a JSON array in JSON output).
    public static func taskLabelSets(_ tasks: Interner, _ sets: [[Int32]], labels: LabelSet, format: OutputFormat) -> [UInt8] {
        var out = TextBuffer(format: format)
        out.header(["task", "labels"])
        for t in 0..<tasks.count {
            out.beginRecord()
            out.field("task", tasks.name(Int32(t)))
            out.list("labels", sets[t].map { labels[Int($0)] })
            out.endRecord()
        }
        return out.finish()
    }
}
