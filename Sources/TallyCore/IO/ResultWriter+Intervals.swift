extension ResultWriter {
    /// One `item, score, low, high` row per item, in `order` (item ids): pairwise scores with
    /// their bootstrap confidence intervals, each array indexed by item id.
    public static func itemScores(_ items: Interner, _ scores: [Double], low: [Double], high: [Double], order: [Int32], format: OutputFormat) -> [UInt8] {
        var out = TextBuffer(format: format)
        out.header(["item", "score", "low", "high"])
        for id in order {
            out.beginRecord()
            out.field("item", items.name(id))
            out.number("score", scores[Int(id)])
            out.number("low", low[Int(id)])
            out.number("high", high[Int(id)])
            out.endRecord()
        }
        return out.finish()
    }
}
