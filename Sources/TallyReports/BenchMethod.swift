import Foundation
import TallyAggregation
import TallyCore

/// An aggregation method as the benchmark runs it: a registry method with its default parameters.
public struct BenchMethod: Sendable {
    /// The method, from ``MethodRegistry``.
    public let descriptor: MethodDescriptor
    /// Parameter values (the method's defaults unless set; values it does not take are left out).
    public var parameters: MethodParameters

    /// The method's name (`ds`, `glad`, …), as in results.tsv.
    public var name: String { descriptor.name }
    /// Runs only on data sets with two labels (others get no row, and are not reported as failures).
    public var binaryOnly: Bool { descriptor.labelCounts == .two }
    /// Fitted with the data set's gold, so scored on what it learned from.
    public var needsGold: Bool { descriptor.needsGold }
    /// Named in `--methods` rather than brought in by `all`: a data set of a kind the method does
    /// not take then gets a skipped entry saying so, instead of no row.
    public var explicitlyNamed = false

    /// The method with `parameters` (those it does not take are dropped; unset ones keep the method's defaults).
    public init(_ descriptor: MethodDescriptor, parameters: MethodParameters = MethodParameters()) {
        self.descriptor = descriptor
        self.parameters = parameters.only(descriptor)
    }

    /// Fits the method; `gold` is the data set's gold (used only by methods that need a golden set).
    func fit(_ table: AnswerTable, _ gold: GoldLabels) throws -> (labels: [Int32], iterations: Int?) {
        let r = try descriptor.fit(table, inputs: MethodInputs(gold: needsGold ? gold : nil), parameters: parameters)
        return (r.labels, r.iterations)
    }

    /// Every method `--methods all` runs on a categorical data set: the registry's categorical
    /// methods, but those that need gold (they would be scored on the gold they learned from).
    public static let all: [BenchMethod] = MethodRegistry.all.filter { !$0.needsGold && $0.accepts(.categorical) }.map { BenchMethod($0) }

    /// Every method `--methods all` runs, of every answer type (each data set runs those that
    /// take its kind); those that need gold are left out.
    public static let everyKind: [BenchMethod] = MethodRegistry.all.filter { !$0.needsGold }.map { BenchMethod($0) }

    /// Methods by name (`all` for ``everyKind``); a method that needs gold runs only when named.
    public static func named(_ list: String, parameters: MethodParameters = MethodParameters()) throws -> [BenchMethod] {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items == ["all"] { return everyKind.map { BenchMethod($0.descriptor, parameters: parameters) } }
        return try MethodRegistry.methods(list, all: { !$0.needsGold }).map {
            var m = BenchMethod($0, parameters: parameters)
            m.explicitlyNamed = true
            return m
        }
    }
}
