import Foundation
import TallyCore

/// Every aggregation method Tally has: the one list every command reads.
///
/// Adding a method: describe it in one new file (`Registry/Name+Method.swift`, a
/// `static let method: MethodDescriptor` on the aggregator) and add it to ``all``.
public enum MethodRegistry {
    /// Every method, in listing order.
    public static let all: [MethodDescriptor] = [
        MajorityVote.method,
        Wawa.method,
        ZeroBasedSkill.method,
        GoldMajorityVote.method,
        DawidSkene.method,
        OneCoinDawidSkene.method,
        IBCC.method,
        BWA.method,
        EBCC.method,
        MinimaxEntropy.method,
        GLAD.method,
        MACE.method,
        KOS.method,
        MMSR.method,
        BradleyTerry.method,
        NoisyBradleyTerry.method,
        EvalicaCounting.method,
        EvalicaAverageWinRate.method,
        EvalicaElo.method,
        EvalicaEigen.method,
        EvalicaPageRank.method,
        EvalicaNewman.method,
        EvalicaBradleyTerry.method,
        NumericMean.method,
        NumericMedian.method,
        CATD.method,
        PMCRH.method,
        LFCN.method,
        ROVER.method,
        BinaryRelevance.method,
    ]

    /// Every method's name, in listing order.
    public static var names: [String] { all.map(\.name) }

    /// The method called `name`.
    public static func method(named name: String) throws -> MethodDescriptor {
        guard let m = all.first(where: { $0.name == name }) else {
            throw AggregationError("unknown method '\(name)'; choose from \(names.joined(separator: ", "))")
        }
        return m
    }

    /// Every method that takes answers of kind `type`, in listing order.
    public static func methods(for type: AnswerType) -> [MethodDescriptor] { all.filter { $0.accepts(type) } }

    /// Methods from a comma-separated list (spaces and empty items ignored); `all` (alone) means
    /// every method that takes answers of kind `type` (categorical by default) and for which
    /// `inAll` holds.
    public static func methods(_ list: String, for type: AnswerType = .categorical, all inAll: (MethodDescriptor) -> Bool = { _ in true }) throws -> [MethodDescriptor] {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items == ["all"] { return all.filter { $0.accepts(type) && inAll($0) } }
        return try items.map { name in
            guard let m = all.first(where: { $0.name == name }) else {
                throw AggregationError("unknown method '\(name)'; choose from \(names.joined(separator: ", ")) or all")
            }
            return m
        }
    }
}
