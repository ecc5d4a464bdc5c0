import Foundation
import TallyCore

extension Wawa {
    /// `wawa` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "wawa", title: "Worker Agreement With Aggregate",
        summary: "A vote weighted by each worker's agreement with the majority vote.",
        citation: "Ustalov et al. (2024), Learning from Crowds with Crowd-Kit, JOSS 9(96)",
        family: .votes, crowdKitClass: "Wawa"
    ) { table, _, _ in
        MethodResult(model: try Wawa().fit(table))
    }
}
