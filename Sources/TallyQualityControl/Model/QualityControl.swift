import Foundation

/// A pool's quality-control settings: Toloka's rules as data (a pool's `quality_control` JSON).
///
/// Reads the JSON a pool carries — as toloka-kit writes it or as the API returns it — and
/// writes the same shape back. Fields Tally does not model (`checkpoints_config`, server
/// defaults) are ignored when reading and not written.
///
///     let qc = try QualityControl.decode(Data(poolJSON.utf8))   // a pool or its quality_control
///     var engine = try QualityControlEngine(qc)
public struct QualityControl: Sendable, Equatable, Codable {
    /// Independent collector → rules groups.
    public var configs: [Config]
    /// The training a Toloker must pass before the pool (not emulated; kept for round trips).
    public var trainingRequirement: TrainingRequirement?
    /// Deprecated; kept for round trips.
    public var captchaFrequency: String?

    /// Settings with these configs; the other fields are kept only for round trips.
    public init(configs: [Config], trainingRequirement: TrainingRequirement? = nil, captchaFrequency: String? = nil) {
        self.configs = configs
        self.trainingRequirement = trainingRequirement
        self.captchaFrequency = captchaFrequency
    }

    /// One collector and the rules that test its statistics.
    public struct Config: Sendable, Equatable, Codable {
        /// What the rules test.
        public var collector: Collector
        /// The rules, each checked on its own.
        public var rules: [Rule]

        /// A config of `collector` and its `rules`.
        public init(_ collector: Collector, rules: [Rule]) {
            self.collector = collector
            self.rules = rules
        }

        enum CodingKeys: String, CodingKey {
            case collector = "collector_config"
            case rules
        }

        /// Decodes `{"collector_config": …, "rules": […]}`, checking each rule against the collector.
        /// - Throws: `DecodingError` for a bad collector or rule, or a key the collector does not offer.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            collector = try c.decode(Collector.self, forKey: .collector)
            var list = try c.nestedUnkeyedContainer(forKey: .rules)
            rules = []
            while !list.isAtEnd {
                rules.append(try Rule(from: try list.superDecoder(), collector: collector.kind))
            }
        }
    }

    /// Conditions (all must hold) and the action to take.
    public struct Rule: Sendable, Equatable, Codable {
        /// Tests joined by AND.
        public var conditions: [Condition]
        /// What happens to the Toloker when every condition holds.
        public var action: Action

        /// A rule that takes `action` when all `conditions` hold.
        public init(_ conditions: [Condition], _ action: Action) {
            self.conditions = conditions
            self.action = action
        }

        enum CodingKeys: String, CodingKey { case conditions, action }

        /// Decodes `{"conditions": […], "action": {…}}`.
        /// - Throws: `DecodingError` for a bad condition or action.
        public init(from decoder: any Decoder) throws {
            try self.init(from: decoder, collector: nil)
        }

        init(from decoder: any Decoder, collector: Collector.Kind?) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var list = try c.nestedUnkeyedContainer(forKey: .conditions)
            conditions = []
            while !list.isAtEnd {
                conditions.append(try Condition(from: try list.superDecoder(), collector: collector))
            }
            action = try Action(from: try c.superDecoder(forKey: .action), collector: collector)
        }
    }

    /// `training_requirement`.
    public struct TrainingRequirement: Sendable, Equatable, Codable {
        /// The training pool (`training_pool_id`).
        public var trainingPoolID: String
        /// The training skill needed to enter the pool, 0–100 (`training_passing_skill_value`).
        public var trainingPassingSkillValue: Int

        enum CodingKeys: String, CodingKey {
            case trainingPoolID = "training_pool_id"
            case trainingPassingSkillValue = "training_passing_skill_value"
        }

        /// Decodes the requirement; a fractional passing value (toloka-kit's autoquality samples
        /// one from a normal distribution) is truncated toward zero, as Toloka's JSON reader does.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            trainingPoolID = try c.decode(String.self, forKey: .trainingPoolID)
            if let whole = try? c.decode(Int.self, forKey: .trainingPassingSkillValue) {
                trainingPassingSkillValue = whole
            } else {
                let value = try c.decode(Double.self, forKey: .trainingPassingSkillValue)
                guard value.isFinite, abs(value) < 1e9 else {
                    throw DecodingError.dataCorruptedError(forKey: .trainingPassingSkillValue, in: c, debugDescription: "expected a number 0–100, got \(value)")
                }
                trainingPassingSkillValue = Int(value)
            }
        }

        /// A requirement with both values given.
        public init(trainingPoolID: String, trainingPassingSkillValue: Int) {
            self.trainingPoolID = trainingPoolID
            self.trainingPassingSkillValue = trainingPassingSkillValue
        }
    }

    enum CodingKeys: String, CodingKey {
        case configs
        case trainingRequirement = "training_requirement"
        case captchaFrequency = "captcha_frequency"
    }

    /// Decodes a pool's `quality_control` object (a missing `configs` is an empty list).
    /// - Throws: `DecodingError` at the first problem; ``decode(_:)`` reports it as a
    ///   ``QualityControlError`` naming its JSON path.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configs = try c.decodeIfPresent([Config].self, forKey: .configs) ?? []
        trainingRequirement = try c.decodeIfPresent(TrainingRequirement.self, forKey: .trainingRequirement)
        captchaFrequency = try c.decodeIfPresent(String.self, forKey: .captchaFrequency)
    }

    /// Encodes the settings in the shape they are read in.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(configs, forKey: .configs)
        try c.encodeIfPresent(trainingRequirement, forKey: .trainingRequirement)
        try c.encodeIfPresent(captchaFrequency, forKey: .captchaFrequency)
    }
}

extension QualityControl {
    private enum PoolKeys: String, CodingKey { case qualityControl = "quality_control", configs }

    /// Reads a pool (`{… "quality_control": {…}}`) or a bare `quality_control` object.
    ///
    /// Errors name the JSON path from the top of the given text, e.g.
    /// `quality_control.configs[0].rules[1].conditions[0].operator: expected one of EQ, NE, GT, GTE, LT, LTE, got "GE"`.
    /// - Throws: ``QualityControlError``.
    public static func decode(_ data: Data) throws(QualityControlError) -> QualityControl {
        do {
            return try JSONDecoder().decode(Top.self, from: data).value
        } catch let error as DecodingError {
            throw QualityControlError(error)
        } catch let error as QualityControlError {
            throw error
        } catch {
            throw QualityControlError(.invalidJSON, path: "", "not valid JSON (\(error))")
        }
    }

    /// Reads a pool or a bare `quality_control` object from a file.
    /// - Throws: ``QualityControlError``; its path starts with the file's name.
    public static func read(path: String) throws(QualityControlError) -> QualityControl {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw QualityControlError(.invalidJSON, path: path, "cannot read the file (\(error.localizedDescription))")
        }
        do {
            return try decode(data)
        } catch {
            throw QualityControlError(error.code, path: error.path.isEmpty ? path : "\(path): \(error.path)", error.message)
        }
    }

    /// The JSON of this object, in the shape it was read in (keys sorted for stable output).
    public func encoded(pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these value types cannot fail: every value is a string, an integer, a finite number or a bool.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// A pool object or a bare `quality_control` object.
    private struct Top: Decodable {
        let value: QualityControl
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: PoolKeys.self)
            if c.contains(.qualityControl) {
                value = try c.decode(QualityControl.self, forKey: .qualityControl)
            } else if c.contains(.configs) {
                value = try QualityControl(from: decoder)
            } else {
                throw invalid([], "expected a pool with \"quality_control\" or a quality_control object with \"configs\"")
            }
        }
    }
}
