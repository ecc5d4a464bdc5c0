/// Runs a list of events through a pool's rules: the entry point of `tally qc replay`.
public enum QualityControlReplay {
    /// The actions `qualityControl` takes on `events`, in the order taken.
    ///
    /// Events are put in time order first (a stable sort: events at the same time keep their order).
    /// - Throws: ``QualityControlError`` when the rules cannot run (see ``QualityControlEngine/init(_:ignoringUnsupported:)``).
    public static func run(_ events: [AssignmentEvent], rules qualityControl: QualityControl, ignoringUnsupported: Bool = false) throws(QualityControlError) -> [QualityControlAction] {
        var engine = try QualityControlEngine(qualityControl, ignoringUnsupported: ignoringUnsupported)
        if let top = events.map(\.worker).max() { engine.reserveWorkers(Int(max(top, -1)) + 1) }
        for e in inTimeOrder(events) { engine.process(e) }
        return engine.actions
    }

    /// `events` sorted by time, ties kept in their given order.
    static func inTimeOrder(_ events: [AssignmentEvent]) -> [AssignmentEvent] {
        if zip(events, events.dropFirst()).allSatisfy({ $0.time <= $1.time }) { return events }
        return events.indices.sorted { (events[$0].time, $0) < (events[$1].time, $1) }.map { events[$0] }
    }
}
