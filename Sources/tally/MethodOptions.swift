import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

// Method options of `tally aggregate`, one group per method family (the --help sections).

/// A --help section title: the family and its methods, from the registry.
func familyTitle(_ family: MethodFamily, _ extra: String = "") -> String {
    "\(family.rawValue) (\(MethodRegistry.all.filter { $0.family == family }.map(\.name).joined(separator: ", ")))\(extra)"
}

enum MissingSkillChoice: String, CaseIterable, ExpressibleByArgument {
    case error, ignore, value, mean
}

struct VoteOptions: ParsableArguments {
    @Option(help: "mv: weight votes by these worker skills (worker, skill).")
    var weights: String?

    @Option(help: "mv with --weights, gold-mv: workers without a skill: error, ignore, value (--default-skill) or mean.")
    var onMissingSkill: MissingSkillChoice?

    @Option(help: "The skill used with --on-missing-skill value.")
    var defaultSkill: Double?

    mutating func validate() throws {
        if onMissingSkill == .value && defaultSkill == nil {
            throw ValidationError("--on-missing-skill value needs --default-skill")
        }
        if defaultSkill != nil && onMissingSkill != .value {
            throw ValidationError("--default-skill is used only with --on-missing-skill value")
        }
    }

    var policy: MissingSkillPolicy? {
        switch onMissingSkill {
        case nil: return nil
        case .error: return .error
        case .ignore: return .ignore
        case .value: return .value(defaultSkill ?? 0)
        case .mean: return .mean
        }
    }
}

struct DawidSkeneOptions: ParsableArguments {
    @Flag(help: "ds: hold the --gold tasks at their gold labels during EM (crowd-kit's true_labels).")
    var clampGold = false

    @Option(help: "ds: start from these confusion counts or matrices (worker, label, one column per true label).")
    var initialError: String?

    @Option(help: "ds: how --initial-error enters the first M-step: assign or addition (default).")
    var initialErrorStrategy: InitialConfusions.Strategy?

    @Option(help: "ds: soft (classic EM, crowd-kit), hard (one-hot posteriors), or hybrid (Fast Dawid-Skene: soft, then hard).")
    var em: DawidSkene.EM = .soft

    @Option(help: "ds: start from mv (majority-vote shares, crowd-kit) or spectral (one-coin skills from the workers' agreement rates).")
    var initialization: DawidSkene.Initialization = .majorityVote

    @Option(help: "ds, onecoin-ds, ibcc: also write each worker's confusion matrix here.")
    var confusions: String?

    @Option(help: ArgumentHelp("ds, onecoin-ds: also write the fitted model here (class prior, each worker's confusion matrix or skill, by worker and label name; versioned JSON) for a later --init-model.", valueName: "file"))
    var saveModel: String?

    @Option(help: ArgumentHelp("ds, onecoin-ds: start EM from a model written by --save-model (a warm start; labels matched by name, workers it lacks start as usual).", valueName: "file"))
    var initModel: String?

    @Option(help: ArgumentHelp("ds: maximum a posteriori with Dirichlet pseudo-counts DIAGONAL,OFF-DIAGONAL,CLASS added to the confusion counts and class totals (e.g. 2,1,1; the same as --param prior-diagonal=2 --param prior-off-diagonal=1 --param prior-class=1); default none: plain maximum likelihood.", valueName: "a,b,c"))
    var prior: String?

    /// The pseudo-counts of `--prior`, by parameter name.
    func priorParameters() throws -> [String: ParameterValue] {
        guard let prior else { return [:] }
        let parts = prior.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let a = parts[0], let b = parts[1], let c = parts[2], [a, b, c].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ValidationError("--prior takes three numbers ≥ 0, diagonal,off-diagonal,class (e.g. 2,1,1), got '\(prior)'")
        }
        return ["prior-diagonal": .double(a), "prior-off-diagonal": .double(b), "prior-class": .double(c)]
    }

    var changed: Bool { clampGold || initialError != nil || em != .soft || initialization != .majorityVote || prior != nil }
}

struct GLADOptions: ParsableArguments {
    @Option(help: ArgumentHelp("glad: when EM stops: relative (default: the objective's relative change is at most --tolerance) or crowd-kit (crowd-kit 1.4.2's check: stop once the objective per answer improves by less than --tolerance, a decrease included; its first check compares with an unnormalised value and never stops; same as --compat crowd-kit).", valueName: "rule"))
    var stopping: GLAD.Stopping?

    @Option(help: "glad: conjugate-gradient iterations per M-step (crowd-kit: 25).")
    var mStepIterations: Int?

    @Option(help: "glad: M-step stops when no gradient component exceeds this (crowd-kit: 0.01).")
    var mStepTolerance: Double?

    @Option(help: "glad: also write each task's difficulty parameter beta (task, beta; e^beta is the inverse difficulty) here.")
    var betas: String?
}

struct MACEOptions: ParsableArguments {
    @Option(help: "mace: random restarts (each seeded differently); the most likely is kept. With --compat crowd-kit they all start alike (crowd-kit's n_restarts), so one is computed.")
    var restarts: Int?

    @Option(help: "mace: vb (variational Bayes, crowd-kit's default) or em.")
    var maceMethod: MACE.Method?

    @Option(help: .hidden)
    var maceCompat: MACE.Compatibility?

    @Option(help: "mace: also write each worker's spamming probabilities (worker, spamming, knowing) here.")
    var spamming: String?

    @Option(help: "mace: also write each worker's spamming strategy (worker, one column per label) here.")
    var strategies: String?
}

struct MMSROptions: ParsableArguments {
    @Option(help: "mmsr: the sign graph: crowd-kit (default, for parity: worker pairs with no common task count as disagreeing) or observed-pairs (the paper's: only pairs that share tasks; more accurate on most data sets).")
    var signGraph: MMSR.SignGraph?
}
