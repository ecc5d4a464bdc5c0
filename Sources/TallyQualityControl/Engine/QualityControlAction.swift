/// One action a rule took: who, which rule, when, why, and until when.
public struct QualityControlAction: Sendable, Equatable {
    /// When the rule fired: the time of the event that made its conditions hold.
    public var time: Double
    /// The Toloker.
    public var worker: Int32
    /// Index into ``QualityControl/configs``.
    public var config: Int
    /// Index into that config's rules.
    public var rule: Int
    /// The action taken (a copy of the rule's).
    public var action: Action
    /// Each condition's statistic and the value it had, in the rule's order.
    public var values: [Observation]
    /// For restrictions, when it ends (`.infinity` for `PERMANENT`); the Toloker is restricted on `time ..< restrictionEnd`.
    public var restrictionEnd: Double?
    /// For `SET_SKILL` the constant, for `SET_SKILL_FROM_OUTPUT_FIELD` the statistic's value.
    public var skillValue: Double?

    /// The rule's JSON path, e.g. `configs[0].rules[1]`.
    public var rulePath: String { "configs[\(config)].rules[\(rule)]" }

    /// An action record; ``restrictionEnd`` and ``skillValue`` as the action implies.
    public init(time: Double, worker: Int32, config: Int, rule: Int, action: Action, values: [Observation], restrictionEnd: Double? = nil, skillValue: Double? = nil) {
        self.time = time
        self.worker = worker
        self.config = config
        self.rule = rule
        self.action = action
        self.values = values
        self.restrictionEnd = restrictionEnd
        self.skillValue = skillValue
    }

    /// A statistic's value when a rule was checked.
    public struct Observation: Sendable, Equatable {
        /// The statistic.
        public var key: ConditionKey
        /// Its value at the check.
        public var value: Double

        /// The observation `key = value`.
        public init(_ key: ConditionKey, _ value: Double) {
            self.key = key
            self.value = value
        }
    }

    /// The value of `key` when the rule fired, if the rule tests it.
    public func value(_ key: ConditionKey) -> Double? { values.first { $0.key == key }?.value }
}
