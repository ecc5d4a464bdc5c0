import Foundation
import TallyCore

/// A value in a template-builder config: a literal (`"Is it male?"`, `300`, `true`) or a
/// component (`{"type": "data.input", "path": "path"}`, `{"$ref": "vars.x"}`, `helper.*`).
public enum TBValue: Sendable, Hashable {
    /// A plain JSON value.
    case literal(JSONValue)
    /// A component computing the value (`data.input`, `helper.*`, …).
    case component(TBComponent)

    /// Reads a value: an object with a `type` is a component, anything else a literal.
    public init(json: JSONValue) {
        if case .object(let o) = json, o["type"]?.stringValue != nil {
            self = .component(TBComponent(json: json))
        } else {
            self = .literal(json)
        }
    }

    /// The value as JSON.
    public var json: JSONValue {
        switch self {
        case .literal(let v): return v
        case .component(let c): return c.json
        }
    }
}

extension TBValue: ExpressibleByStringLiteral {
    /// A string literal: `"Is it a male or female speaker?"`.
    public init(stringLiteral value: String) { self = .literal(.string(value)) }
}

/// One template-builder component (an object with a `type` in a template-builder config). The
/// components the workflow uses are typed; any other is kept as its JSON (`.unknown`) and
/// written back unchanged. Every typed component
/// keeps the properties it does not model in `other`, so a config read from Toloka and written
/// back is the same JSON.
public indirect enum TBComponent: Sendable, Hashable {
    /// `view.list`.
    case list(ListView)
    /// `view.audio`.
    case audio(AudioView)
    /// `view.text`.
    case text(TextView)
    /// `view.image`.
    case image(ImageView)
    /// `field.button-radio-group`.
    case buttonRadioGroup(ButtonRadioGroupField)
    /// `condition.played`, `condition.played-fully`, `condition.required` (and other `condition.*`).
    case condition(Condition)
    /// `plugin.toloka`: page layout.
    case tolokaPlugin(TolokaPlugin)
    /// `plugin.hotkeys`: keyboard shortcuts.
    case hotkeys(HotkeysPlugin)
    /// `action.set`: writes a value into a data field.
    case setAction(SetAction)
    /// `data.input`, `data.output` (and other `data.*`).
    case data(DataRef)
    /// Any other component, kept as its JSON.
    case unknown(JSONValue)

    /// `view.list`: components shown one after another.
    public struct ListView: Sendable, Hashable {
        /// The components, in order.
        public var items: [TBComponent]
        /// `vertical` (the default) or `horizontal`.
        public var direction: String?
        /// Spacing between items: `m` or `s`.
        public var size: String?
        /// The label shown above the component.
        public var label: TBValue?
        /// The hint shown on hover or in a tooltip.
        public var hint: TBValue?
        /// A condition that must hold before the Toloker can submit (e.g. `condition.required`).
        public var validation: TBComponent?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// A list of `items`.
        public init(items: [TBComponent], direction: String? = nil, size: String? = nil, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.items = items; self.direction = direction; self.size = size; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    /// `view.audio`: an audio player.
    public struct AudioView: Sendable, Hashable {
        /// The media URL, usually ``DataRef/input(_:)`` of a `url` input field.
        public var url: TBValue
        /// Whether playback repeats.
        public var loop: Bool?
        /// The label shown above the component.
        public var label: TBValue?
        /// The hint shown on hover or in a tooltip.
        public var hint: TBValue?
        /// A condition that must hold before the Toloker can submit (e.g. `condition.required`).
        public var validation: TBComponent?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// A player of `url`.
        public init(url: TBValue, loop: Bool? = nil, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.url = url; self.loop = loop; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    /// `view.text`: a block of text.
    public struct TextView: Sendable, Hashable {
        /// The text shown.
        public var content: TBValue
        /// The label shown above the component.
        public var label: TBValue?
        /// The hint shown on hover or in a tooltip.
        public var hint: TBValue?
        /// A condition that must hold before the Toloker can submit (e.g. `condition.required`).
        public var validation: TBComponent?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// A text view of `content`.
        public init(content: TBValue, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.content = content; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    /// `view.image`: an image. Its other properties (`fullHeight`, `maxWidth`, `minWidth`,
    /// `ratio`, `rotatable`, `scrollable`, `noBorder`, `noLazyLoad`) are kept in `other`.
    public struct ImageView: Sendable, Hashable {
        /// The media URL, usually ``DataRef/input(_:)`` of a `url` input field.
        public var url: TBValue
        /// The label shown above the component.
        public var label: TBValue?
        /// The hint shown on hover or in a tooltip.
        public var hint: TBValue?
        /// A condition that must hold before the Toloker can submit (e.g. `condition.required`).
        public var validation: TBComponent?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// An image view of `url`.
        public init(url: TBValue, label: TBValue? = nil, hint: TBValue? = nil, validation: TBComponent? = nil) {
            self.url = url; self.label = label; self.hint = hint; self.validation = validation
        }
    }

    /// `field.button-radio-group`: one answer chosen among buttons.
    public struct ButtonRadioGroupField: Sendable, Hashable {
        /// One button.
        public struct Option: Sendable, Hashable {
            /// The value written into the output field when this button is chosen.
            public var value: JSONValue
            /// The button's text.
            public var label: TBValue
            /// The hint shown on hover or in a tooltip.
            public var hint: TBValue?
            /// Properties not modelled here, kept as they came and written back.
            public var other: [String: JSONValue] = [:]
            /// A button writing `value`.
            public init(value: JSONValue, label: TBValue, hint: TBValue? = nil) { self.value = value; self.label = label; self.hint = hint }
        }
        /// The output field the choice is written to (a ``DataRef``).
        public var data: TBComponent
        /// The buttons, in order.
        public var options: [Option]
        /// The label shown above the component.
        public var label: TBValue?
        /// The hint shown on hover or in a tooltip.
        public var hint: TBValue?
        /// When true, the field cannot be changed.
        public var disabled: TBValue?
        /// A condition that must hold before the Toloker can submit (e.g. `condition.required`).
        public var validation: TBComponent?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// A button group writing into `data` (e.g. ``DataRef/output(_:)``).
        public init(data: TBComponent, options: [Option], label: TBValue? = nil, hint: TBValue? = nil, disabled: TBValue? = nil, validation: TBComponent? = nil) {
            self.data = data; self.options = options; self.label = label; self.hint = hint; self.disabled = disabled; self.validation = validation
        }
    }

    /// A `condition.*` component: a check, usually inside a `validation`.
    public struct Condition: Sendable, Hashable {
        /// The full type, e.g. `condition.played`.
        public var type: String
        /// The hint shown on hover or in a tooltip.
        public var hint: TBValue?
        /// The field checked (default: the field being validated).
        public var data: TBComponent?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// A condition of `type`.
        public init(type: String, hint: TBValue? = nil, data: TBComponent? = nil) { self.type = type; self.hint = hint; self.data = data }
        /// `condition.played`: playback has started (inside a player's `validation`).
        public static func played(hint: TBValue? = nil) -> TBComponent { .condition(Condition(type: "condition.played", hint: hint)) }
        /// `condition.played-fully`: played to the end.
        public static func playedFully(hint: TBValue? = nil) -> TBComponent { .condition(Condition(type: "condition.played-fully", hint: hint)) }
        /// `condition.required`: the field has a value.
        public static func required(hint: TBValue? = nil) -> TBComponent { .condition(Condition(type: "condition.required", hint: hint)) }
    }

    /// `plugin.toloka`: page layout and notifications.
    public struct TolokaPlugin: Sendable, Hashable {
        /// How tasks are laid out on the page.
        public struct Layout: Sendable, Hashable {
            /// `scroll` (several tasks per page, the default) or `pager` (one at a time).
            public var kind: String?
            /// A task's width in pixels.
            public var taskWidth: Double?
            /// Properties not modelled here, kept as they came and written back.
            public var other: [String: JSONValue] = [:]
            /// A layout.
            public init(kind: String? = nil, taskWidth: Double? = nil) { self.kind = kind; self.taskWidth = taskWidth }
        }
        /// How tasks are laid out.
        public var layout: Layout?
        /// Components shown as notifications above the tasks.
        public var notifications: [TBComponent]?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// A plugin configuration.
        public init(layout: Layout? = nil, notifications: [TBComponent]? = nil) { self.layout = layout; self.notifications = notifications }
    }

    /// `plugin.hotkeys`: keyboard shortcuts.
    public struct HotkeysPlugin: Sendable, Hashable {
        /// Key (`a`–`z`, `0`–`9`, `up`, `down`) → action.
        public var keys: [String: TBComponent]
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// Shortcuts from key to action.
        public init(keys: [String: TBComponent]) { self.keys = keys }
    }

    /// `action.set`: writes `payload` into the data field `data`.
    public struct SetAction: Sendable, Hashable {
        /// The data field written (a ``DataRef``).
        public var data: TBComponent
        /// The value written.
        public var payload: JSONValue
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// An action writing `payload` into `data`.
        public init(data: TBComponent, payload: JSONValue) { self.data = data; self.payload = payload }
    }

    /// A `data.*` component: a reference to an input or output field.
    public struct DataRef: Sendable, Hashable {
        /// `data.input`, `data.output`, `data.internal`, …
        public var type: String
        /// The field name (a dot path is allowed).
        public var path: String?
        /// The value used while the field is empty (`default`).
        public var defaultValue: JSONValue?
        /// Properties not modelled here, kept as they came and written back.
        public var other: [String: JSONValue] = [:]
        /// A reference of `type` to `path`.
        public init(type: String, path: String?, defaultValue: JSONValue? = nil) { self.type = type; self.path = path; self.defaultValue = defaultValue }
        /// `data.input` of the input field `path`.
        public static func input(_ path: String) -> TBComponent { .data(DataRef(type: "data.input", path: path)) }
        /// `data.output` of the output field `path`.
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
    /// Reads a component from JSON, as ``init(json:)``.
    public init(from decoder: any Decoder) throws { self.init(json: try JSONValue(from: decoder)) }
    /// Writes the ``json``.
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

/// A template-builder config: the parsed content of `view_spec.config`.
public struct TemplateBuilderConfig: Sendable, Hashable, Codable {
    /// The root component.
    public var view: TBComponent
    /// Plugins (`plugin.toloka`, `plugin.hotkeys`, …).
    public var plugins: [TBComponent]?
    /// Reusable fragments that `{"$ref": "vars.x"}` values refer to.
    public var vars: JSONValue?
    /// Top-level keys not modelled here, kept as they came.
    public var other: [String: JSONValue] = [:]

    /// A config.
    public init(view: TBComponent, plugins: [TBComponent]? = nil, vars: JSONValue? = nil) {
        self.view = view; self.plugins = plugins; self.vars = vars
    }

    /// Reads a config. Throws ``TolokaError`` (`.invalidInput`) unless `json` is an object with a
    /// `view`.
    public init(json: JSONValue) throws {
        guard var o = json.objectValue, let view = o.removeValue(forKey: "view") else {
            throw TolokaError.invalidInput("a template-builder config must be an object with a \"view\"")
        }
        self.view = TBComponent(json: view)
        plugins = o.removeValue(forKey: "plugins")?.arrayValue?.map(TBComponent.init(json:))
        vars = o.removeValue(forKey: "vars")
        other = o
    }

    /// The config as JSON.
    public var json: JSONValue {
        var o = other
        o["view"] = view.json
        if let plugins { o["plugins"] = .array(plugins.map(\.json)) }
        if let vars { o["vars"] = vars }
        return .object(o)
    }

    /// Reads a config from JSON, as ``init(json:)``.
    public init(from decoder: any Decoder) throws { try self.init(json: JSONValue(from: decoder)) }
    /// Writes the ``json``.
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// Every component `type` used in the config (for the view spec's `lock`).
    var componentTypes: Set<String> {
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
