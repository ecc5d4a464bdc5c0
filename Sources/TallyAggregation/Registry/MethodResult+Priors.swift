import Foundation
import TallyCore

/// A fitted model that estimates the class prior (the share of each true label).
///
/// The registry's callers read it through ``MethodResult/priors`` without knowing the method.
public protocol ClassPriorModel: FittedModel {
    /// The estimated share of each label, in ``TallyCore/LabelSet`` order (sums to 1).
    var classPriors: [Double] { get }
}

extension DawidSkeneModel: ClassPriorModel {
    /// The class prior of the last M-step (``priors``).
    public var classPriors: [Double] { priors }
}

extension GLADModel: ClassPriorModel {
    /// The label priors GLAD used (``priors``).
    public var classPriors: [Double] { priors }
}

extension IBCCModel: ClassPriorModel {
    /// The expected class proportions (``classProportions``).
    public var classPriors: [Double] { classProportions }
}

extension MethodResult {
    /// The class prior, when the method estimates one (Dawid-Skene family, GLAD, IBCC); nil otherwise.
    public var priors: [Double]? { (model as? any ClassPriorModel)?.classPriors }

    /// `values` by label for a note, in ``TallyCore/LabelSet`` order: `"name 0.1234, …"` (class
    /// priors and proportions).
    static func perLabel(_ values: [Double], of table: AnswerTable) -> String {
        zip(table.labels.names, values).map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
    }
}
