import Foundation
import TallyCore
import TallyQualityControl

extension EmulatorStore {
    // MARK: - Introspection (not part of Toloka's API)

    /// `GET /_emulator/status`: clock, counts, requests by HTTP status, the notes logged.
    func emulatorStatus(responsesByStatus statusCounts: [Int: Int]) -> JSONValue {
        [
            "now": .string(TolokaTime.format(clock.now())),
            "speed": configuration.speed.map(JSONValue.double) ?? "instant",
            "projects": .int(Int64(projects.count)), "pools": .int(Int64(pools.count)),
            "tasks": .int(Int64(taskPools.count)),
            "assignments": .int(Int64(pools.values.reduce(0) { $0 + $1.assignments.count })),
            "operations": .int(Int64(operations.count)),
            "responses_by_status": .object(Dictionary(uniqueKeysWithValues: statusCounts.map { (String($0.key), JSONValue.int(Int64($0.value))) })),
            "notes": .array(notes.map(JSONValue.string)),
        ]
    }

    /// `GET /_emulator/crowd`: the simulated Tolokers (id, kind, accuracy, languages, client type).
    func crowdJSON() -> JSONValue {
        ["workers": .array(world.workers.map { w in
            ["user_id": .string(w.id), "kind": .string(w.kind), "accuracy": w.accuracy.map(JSONValue.double) ?? .null,
             "languages": .array(w.languages.map(JSONValue.string)), "client_type": .string(w.clientType)]
        })]
    }

    /// `GET /_emulator/pools/{id}/truth`: the general tasks' hidden true labels as a TSV `task<TAB>label`
    /// (the file `tally evaluate --gold` reads). A task is named by its input values in field-name order
    /// joined by ` | ` — for one input field, its value: the name `tally toloka run` gives it in answers.tsv.
    func truthTSV(_ id: String) throws -> String {
        let pool = try pool(id)
        let fields = projects[pool.projectID]?.inputSpec.keys.sorted() ?? []
        var lines = ["task\tlabel"]
        var seen = Set<String>()
        for i in pool.generalTasks {
            let t = pool.tasks[i]
            let inputs = t.json["input_values"]?.objectValue ?? [:]
            let names = fields.isEmpty ? inputs.keys.sorted() : fields
            let name = names.map { inputs[$0].map { $0 == .null ? "" : $0.labelText } ?? "" }.joined(separator: " | ")
            guard seen.insert(name).inserted else { continue }
            let clean = { (s: String) in s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
            lines.append(clean(name) + "\t" + clean(t.truth))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `GET /_emulator/pools/{id}/quality-control-log`: every action the pool's rules took, in order;
    /// for a training, the skill value each Toloker who finished it got (`rule` `training`, `SET_SKILL`).
    func qualityControlLog(_ id: String) throws -> JSONValue {
        let pool = try pool(id)
        if let training = pool.training {
            return ["items": .array(pool.trainingResults.map { r in
                ["time": .string(TolokaTime.format(r.time)), "user_id": .string(world.workers[Int(r.worker)].id), "rule": "training",
                 "action": "SET_SKILL", "skill_id": .string(training.skillID), "skill_value": .double(r.value), "values": [:]]
            })]
        }
        // `CHANGE_OVERLAP` after rejections (the engine carries them out itself), merged by time.
        let changes: [(Double, JSONValue)] = pool.overlapChanges.map { c in
            (c.time, ["time": .string(TolokaTime.format(c.time)), "user_id": .string(world.workers[Int(c.worker)].id), "rule": "assignments_assessment",
                      "action": "CHANGE_OVERLAP", "assignment_id": .string(pool.assignments[c.assignment].id), "delta": .int(Int64(c.delta)), "values": [:]])
        }
        let actions: [(Double, JSONValue)] = pool.qualityControl.actions.map { a in
            var o: [String: JSONValue] = [
                "time": .string(TolokaTime.format(a.time)), "user_id": .string(world.workers[Int(a.worker)].id),
                "rule": .string(a.rulePath), "action": .string(a.action.kind.rawValue),
                "values": .object(Dictionary(a.values.map { ($0.key.rawValue, JSONValue.double($0.value)) }, uniquingKeysWith: { $1 })),
            ]
            if let end = a.restrictionEnd { o["restriction_end"] = end.isFinite ? .string(TolokaTime.format(end)) : "PERMANENT" }
            if let s = a.skillValue { o["skill_value"] = .double(s) }
            return (a.time, .object(o))
        }
        let merged = (actions + changes).enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        return ["items": .array(merged.map(\.element.1))]
    }
}
