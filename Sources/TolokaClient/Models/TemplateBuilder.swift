import Foundation
import TallyCore

/// A value in a template-builder config: a literal (`"Is it male?"`, `300`, `true`) or a
/// component (`{"type": "data.input", "path": "path"}`, `{"$ref": "vars.x"}`, `helper.*`).
public enum TBValue: Sendable, Hashable {
    case literal(JSONValue)
    case component(TBComponent)

    public init(json: JSONValue) {
        if case .object(let o) = json, o["type"]?.stringValue != nil {
            self = .component(TBComponent(json: json))
        } else {
            self = .literal(json)
        }
    }

    public var json: JSONValue {
        switch self {
        case .literal(let v): return v
        case .component(let c): return c.json
        }
    }
}

extension TBValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .literal(.string(value)) }
}

/// One template-builder component (spec §3.3). The components the workflow uses are typed;
/// any other is kept as its JSON (`.unknown`) and written back unchanged. Every typed component
/// keeps the properties it does not model in `other`, so a config read from Toloka and written
/// back is the same JSON.
public indirect enum TBComponent: Sendable, Hashable {
    case list(ListView)
    case audio(AudioView)
    case text(TextView)
    case image(ImageView)
    case buttonRadioGroup(ButtonRadioGroupField)
    /// `condition.played`, `condition.played-fully`, `condition.required` (and other `condition.*`).
    case condition(Condition)
    case tolokaPlugin(TolokaPlugin)
    case hotkeys(HotkeysPlugin)
    case setAction(SetAction)
    /// `data.input`, `data.output` (and other `data.*`).
    case data(DataRef)
    case unknown(JSONValue)

    public struct ListView: Sendable, Hashable {
        public var items: [TBComponent]
        public var direction: String?
        public var size: String?
        public var label: TBValue?
        public var hint: TBValue?
        public var validation: TBComponent?
        public var other: [String: JSONValue] = [:]
        public init(items: [TBComponent], direction: String? = nil, size: String? = nil, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.items = items; self.direction = direction; self.size = size; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    public struct AudioView: Sendable, Hashable {
        public var url: TBValue
        public var loop: Bool?
        public var label: TBValue?
        public var hint: TBValue?
        public var validation: TBComponent?
        public var other: [String: JSONValue] = [:]
        public init(url: TBValue, loop: Bool? = nil, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.url = url; self.loop = loop; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    /// `view.text`: `content`, `label`, `hint`, `validation`.
    public struct TextView: Sendable, Hashable {
        public var content: TBValue
        public var label: TBValue?
        public var hint: TBValue?
        public var validation: TBComponent?
        public var other: [String: JSONValue] = [:]
        public init(content: TBValue, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.content = content; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    /// `view.image`: `url`, `fullHeight`, `maxWidth`, `minWidth`, `ratio`, `rotatable`, `scrollable`,
    /// `noBorder`, `noLazyLoad`, `label`, `hint`, `validation` (all but `url` kept in `other`
    /// except label, hint and validation).
    public struct ImageView: Sendable, Hashable {
        public var url: TBValue
        public var label: TBValue?
        public var hint: TBValue?
        public var validation: TBComponent?
        public var other: [String: JSONValue] = [:]
        public init(url: TBValue, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.url = url; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    public struct ButtonRadioGroupField: Sendable, Hashable {
        public struct Option: Sendable, Hashable {
            public var value: JSONValue
            public var label: TBValue
            public var hint: TBValue?
            public var other: [String: JSONValue] = [:]
            public init(value: JSONValue, label: TBValue, hint: TBValue? = nil) { self.value = value; self.label = label; self.hint = hint }
        }
        public var data: TBComponent
        public var options: [Option]
        public var label: TBValue?
        public var hint: TBValue?
        public var disabled: TBValue?
        public var validation: TBComponent?
        public var other: [String: JSONValue] = [:]
        public init(data: TBComponent, options: [Option], label: TBValue? = nil, hint: TBValue? = nil, disabled: TBValue? = nil, validation: TBComponent? = nil) {
            self.data = data; self.options = options; self.label = label; self.hint = hint; self.disabled = disabled; self.validation = validation
        }
    }

    public struct Condition: Sendable, Hashable {
        /// The full type, e.g. `condition.played`.
        public var type: String
        public var hint: TBValue?
        public var data: TBComponent?
        public var other: [String: JSONValue] = [:]
        public init(type: String, hint: TBValue? = nil, data: TBComponent? = nil) { self.type = type; self.hint = hint; self.data = data }
        public static func played(hint: TBValue? = nil) -> TBComponent { .condition(Condition(type: "condition.played", hint: hint)) }
        public static func playedFully(hint: TBValue? = nil) -> TBComponent { .condition(Condition(type: "condition.played-fully", hint: hint)) }
        public static func required(hint: TBValue? = nil) -> TBComponent { .condition(Condition(type: "condition.required", hint: hint)) }
    }

    public struct TolokaPlugin: Sendable, Hashable {
        public struct Layout: Sendable, Hashable {
            public var kind: String?
            public var taskWidth: Double?
            public var other: [String: JSONValue] = [:]
            public init(kind: String? = nil, taskWidth: Double? = nil) { self.kind = kind; self.taskWidth = taskWidth }
        }
        public var layout: Layout?
        public var notifications: [TBComponent]?
        public var other: [String: JSONValue] = [:]
        public init(layout: Layout? = nil, notifications: [TBComponent]? = nil) { self.layout = layout; self.notifications = notifications }
    }

    public struct HotkeysPlugin: Sendable, Hashable {
        /// Key (`a`–`z`, `0`–`9`, `up`, `down`) → action.
        public var keys: [String: TBComponent]
        public var other: [String: JSONValue] = [:]
        public init(keys: [String: TBComponent]) { self.keys = keys }
    }

    public struct SetAction: Sendable, Hashable {
        public var data: TBComponent
        public var payload: JSONValue
        public var other: [String: JSONValue] = [:]
        public init(data: TBComponent, payload: JSONValue) { self.data = data; self.payload = payload }
    }

    public struct DataRef: Sendable, Hashable {
        /// `data.input`, `data.output`, `data.internal`, …
        public var type: String
        public var path: String?
        public var defaultValue: JSONValue?
        public var other: [String: JSONValue] = [:]
        public init(type: String, path: String?, defaultValue: JSONValue? = nil) { self.type = type; self.path = path; self.defaultValue = defaultValue }
        public static func input(_ path: String) -> TBComponent { .data(DataRef(type: "data.input", path: path)) }
        public static func output(_ path: String) -> TBComponent { .data(DataRef(type: "data.output", path: path)) }
    }

    /// The component's `type`.
    public var type: String? {
        switch self {
        case .list: return "view.list"
        case .audio: return "view.audio"
        case .text: return "view.text"
        case .image: return "view.image"
        case .buttonRadioGroup: return "field.button-radio-group"
        case .condition(let c): return c.type
        case .tolokaPlugin: return "plugin.toloka"
        case .hotkeys: return "plugin.hotkeys"
        case .setAction: return "action.set"
        case .data(let d): return d.type
        case .unknown(let j): return j["type"]?.stringValue
        }
    }
}

// MARK: - JSON

private struct Fields {
    var o: [String: JSONValue]
    mutating func take(_ k: String) -> JSONValue? { o.removeValue(forKey: k) }
    mutating func value(_ k: String) -> TBValue? { take(k).map(TBValue.init(json:)) }
    mutating func component(_ k: String) -> TBComponent? { take(k).map(TBComponent.init(json:)) }
    mutating func string(_ k: String) -> String? {
        guard let v = o[k], let s = v.stringValue else { return nil }
        o[k] = nil
        return s
    }
    mutating func bool(_ k: String) -> Bool? {
        guard let v = o[k], let b = v.boolValue else { return nil }
        o[k] = nil
        return b
    }
}

private struct Builder {
    var o: [String: JSONValue]
    init(_ type: String, _ other: [String: JSONValue]) { o = other; o["type"] = .string(type) }
    mutating func set(_ k: String, _ v: TBValue?) { if let v { o[k] = v.json } }
    mutating func set(_ k: String, _ v: TBComponent?) { if let v { o[k] = v.json } }
    mutating func set(_ k: String, _ v: JSONValue?) { if let v { o[k] = v } }
    mutating func set(_ k: String, _ v: String?) { if let v { o[k] = .string(v) } }
    mutating func set(_ k: String, _ v: Bool?) { if let v { o[k] = .bool(v) } }
    var json: JSONValue { .object(o) }
}

extension TBComponent {
    /// Reads a component from its JSON; components that are not typed, or typed ones whose
    /// required properties are missing, become `.unknown` with the JSON unchanged.
    public init(json: JSONValue) {
        guard case .object(let obj) = json, let type = obj["type"]?.stringValue else {
            self = .unknown(json)
            return
        }
        var f = Fields(o: obj)
        f.o["type"] = nil
        switch type {
        case "view.list":
            guard let items = f.take("items")?.arrayValue else { self = .unknown(json); return }
            var v = ListView(items: items.map(TBComponent.init(json:)), direction: f.string("direction"), size: f.string("size"),
                             label: f.value("label"), hint: f.value("hint"), validation: f.component("validation"))
            v.other = f.o
            self = .list(v)
        case "view.audio":
            guard let url = f.value("url") else { self = .unknown(json); return }
            var v = AudioView(url: url, loop: f.bool("loop"), label: f.value("label"), hint: f.value("hint"), validation: f.component("validation"))
            v.other = f.o
            self = .audio(v)
        case "view.text":
            guard let content = f.value("content") else { self = .unknown(json); return }
            var v = TextView(content: content, label: f.value("label"), hint: f.value("hint"), validation: f.component("validation"))
            v.other = f.o
            self = .text(v)
        case "view.image":
            guard let url = f.value("url") else { self = .unknown(json); return }
            var v = ImageView(url: url, label: f.value("label"), hint: f.value("hint"), validation: f.component("validation"))
            v.other = f.o
            self = .image(v)
        case "field.button-radio-group":
            guard let data = f.component("data"), let opts = f.take("options")?.arrayValue else { self = .unknown(json); return }
            var options: [ButtonRadioGroupField.Option] = []
            for o in opts {
                guard case .object(let oo) = o, let value = oo["value"], let label = oo["label"] else { self = .unknown(json); return }
                var of = Fields(o: oo)
                _ = of.take("value"); _ = of.take("label")
                var opt = ButtonRadioGroupField.Option(value: value, label: TBValue(json: label), hint: of.value("hint"))
                opt.other = of.o
                options.append(opt)
            }
            var v = ButtonRadioGroupField(data: data, options: options, label: f.value("label"), hint: f.value("hint"),
                                          disabled: f.value("disabled"), validation: f.component("validation"))
            v.other = f.o
            self = .buttonRadioGroup(v)
        case _ where type.hasPrefix("condition."):
            var v = Condition(type: type, hint: f.value("hint"), data: f.component("data"))
            v.other = f.o
            self = .condition(v)
        case "plugin.toloka":
            var layout: TolokaPlugin.Layout?
            if let l = f.take("layout") {
                guard case .object(let lo) = l else { self = .unknown(json); return }
                var lf = Fields(o: lo)
                var lay = TolokaPlugin.Layout(kind: lf.string("kind"), taskWidth: lf.o["taskWidth"]?.doubleValue)
                if lay.taskWidth != nil { lf.o["taskWidth"] = nil }
                lay.other = lf.o
                layout = lay
            }
            var v = TolokaPlugin(layout: layout, notifications: f.take("notifications")?.arrayValue?.map(TBComponent.init(json:)))
            v.other = f.o
            self = .tolokaPlugin(v)
        case "plugin.hotkeys":
            var keys: [String: TBComponent] = [:]
            for (k, v) in f.o where v["type"] != nil {
                keys[k] = TBComponent(json: v)
            }
            for k in keys.keys { f.o[k] = nil }
            var v = HotkeysPlugin(keys: keys)
            v.other = f.o
            self = .hotkeys(v)
        case "action.set":
            guard let data = f.component("data") else { self = .unknown(json); return }
            var v = SetAction(data: data, payload: f.take("payload") ?? .null)
            v.other = f.o
            self = .setAction(v)
        case _ where type.hasPrefix("data."):
            var v = DataRef(type: type, path: f.string("path"), defaultValue: f.take("default"))
            v.other = f.o
            self = .data(v)
        default:
            self = .unknown(json)
        }
    }

    /// The component as JSON.
    public var json: JSONValue {
        switch self {
        case .list(let v):
            var b = Builder("view.list", v.other)
            b.o["items"] = .array(v.items.map(\.json))
            b.set("direction", v.direction); b.set("size", v.size); b.set("label", v.label); b.set("hint", v.hint); b.set("validation", v.validation)
            return b.json
        case .audio(let v):
            var b = Builder("view.audio", v.other)
            b.set("url", v.url); b.set("loop", v.loop); b.set("label", v.label); b.set("hint", v.hint); b.set("validation", v.validation)
            return b.json
        case .text(let v):
            var b = Builder("view.text", v.other)
            b.set("content", v.content); b.set("label", v.label); b.set("hint", v.hint); b.set("validation", v.validation)
            return b.json
        case .image(let v):
            var b = Builder("view.image", v.other)
            b.set("url", v.url); b.set("label", v.label); b.set("hint", v.hint); b.set("validation", v.validation)
            return b.json
        case .buttonRadioGroup(let v):
            var b = Builder("field.button-radio-group", v.other)
            b.set("data", v.data)
            b.o["options"] = .array(v.options.map { o in
                var d = o.other
                d["value"] = o.value
                d["label"] = o.label.json
                if let h = o.hint { d["hint"] = h.json }
                return .object(d)
            })
            b.set("label", v.label); b.set("hint", v.hint); b.set("disabled", v.disabled); b.set("validation", v.validation)
            return b.json
        case .condition(let v):
            var b = Builder(v.type, v.other)
            b.set("hint", v.hint); b.set("data", v.data)
            return b.json
        case .tolokaPlugin(let v):
            var b = Builder("plugin.toloka", v.other)
            if let l = v.layout {
                var d = l.other
                if let k = l.kind { d["kind"] = .string(k) }
                if let w = l.taskWidth { d["taskWidth"] = w == w.rounded() && abs(w) < 1e15 ? .int(Int64(w)) : .double(w) }
                b.o["layout"] = .object(d)
            }
            if let n = v.notifications { b.o["notifications"] = .array(n.map(\.json)) }
            return b.json
        case .hotkeys(let v):
            var b = Builder("plugin.hotkeys", v.other)
            for (k, a) in v.keys { b.o[k] = a.json }
            return b.json
        case .setAction(let v):
            var b = Builder("action.set", v.other)
            b.set("data", v.data)
            b.o["payload"] = v.payload
            return b.json
        case .data(let v):
            var b = Builder(v.type, v.other)
            b.set("path", v.path); b.set("default", v.defaultValue)
            return b.json
        case .unknown(let j):
            return j
        }
    }
}

extension TBComponent: Codable {
    public init(from decoder: any Decoder) throws { self.init(json: try JSONValue(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

/// A template-builder config: the parsed content of `view_spec.config`.
public struct TemplateBuilderConfig: Sendable, Hashable, Codable {
    public var view: TBComponent
    public var plugins: [TBComponent]?
    public var vars: JSONValue?
    /// Top-level keys not modelled here, kept as they came.
    public var other: [String: JSONValue] = [:]

    public init(view: TBComponent, plugins: [TBComponent]? = nil, vars: JSONValue? = nil) {
        self.view = view; self.plugins = plugins; self.vars = vars
    }

    public init(json: JSONValue) throws {
        guard var o = json.objectValue, let view = o.removeValue(forKey: "view") else {
            throw TolokaError.invalidInput("a template-builder config must be an object with a \"view\"")
        }
        self.view = TBComponent(json: view)
        plugins = o.removeValue(forKey: "plugins")?.arrayValue?.map(TBComponent.init(json:))
        vars = o.removeValue(forKey: "vars")
        other = o
    }

    public var json: JSONValue {
        var o = other
        o["view"] = view.json
        if let plugins { o["plugins"] = .array(plugins.map(\.json)) }
        if let vars { o["vars"] = vars }
        return .object(o)
    }

    public init(from decoder: any Decoder) throws { try self.init(json: JSONValue(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// Every component `type` used in the config (for the view spec's `lock`).
    public var componentTypes: Set<String> {
        var out = Set<String>()
        func walk(_ v: JSONValue) {
            switch v {
            case .object(let o):
                if let t = o["type"]?.stringValue { out.insert(t) }
                o.values.forEach(walk)
            case .array(let a): a.forEach(walk)
            default: break
            }
        }
        walk(json)
        return out
    }

    /// The config as toloka-kit 0.1.x/1.x serialises it into `view_spec.config`: JSON with a
    /// four-space indent and sorted keys.
    public func serialized() -> String {
        json.serialized(indent: 4, numbers: .python)
    }
}
