import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyTestSupport

/// Toloka's aggregation endpoint on the emulator against `tally aggregate` on the pool's export.
@Suite("Emulator: aggregate-by-pool against tally aggregate")
struct EmulatorAggregationCLITests {
    struct Client {
        let url: String
        let token: String

        func call(_ method: String, _ path: String, _ body: Any? = nil) async throws -> (status: Int, data: Data) {
            var request = URLRequest(url: URL(string: url + path)!)
            request.httpMethod = method
            request.setValue("OAuth \(token)", forHTTPHeaderField: "Authorization")
            if let body {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = try JSONSerialization.data(withJSONObject: body)
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        }

        func json(_ method: String, _ path: String, _ body: Any? = nil) async throws -> [String: Any] {
            let (status, data) = try await call(method, path, body)
            guard status < 300 else { throw CLIError("\(method) \(path): \(status) \(String(decoding: data, as: UTF8.self))") }
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    struct CLIError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    @Test("DAWID_SKENE returns, task by task, the labels tally aggregate --method ds gives on the pool's accepted answers")
    func dawidSkeneMatchesTheCLI() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withTempDirectoryAsync { dir in
            let server = try EmulatorProcess.start(["--speed", "instant", "--seed", "4", "--token-env", "TALLY_AGG_TEST_TOKEN"],
                                                   environment: ["TALLY_AGG_TEST_TOKEN": token], log: dir.appendingPathComponent("emulator.log"))
            defer { server.stop() }
            let client = Client(url: server.url, token: token)
            let project = try await client.json("POST", "/api/v1/projects", [
                "public_name": "Pick a colour", "public_description": "Which colour is it?",
                "task_spec": ["input_spec": ["item": ["type": "string"]],
                              "output_spec": ["result": ["type": "string", "allowed_values": ["red", "green", "blue"]]]],
            ])
            let projectID = try #require(project["id"] as? String)
            let pool = try await client.json("POST", "/api/v1/pools", [
                "project_id": projectID, "private_name": "colours", "may_contain_adult_content": false,
                "reward_per_assignment": 0.01, "assignment_max_duration_seconds": 600, "will_expire": "2099-01-01T00:00:00",
                "defaults": ["default_overlap_for_new_task_suites": 5],
                "mixer_config": ["real_tasks_count": 5, "golden_tasks_count": 0, "training_tasks_count": 0],
            ])
            let poolID = try #require(pool["id"] as? String)
            let tasks = (0..<60).map { i in ["pool_id": poolID, "input_values": ["item": "item \(i)"]] as [String: Any] }
            _ = try await client.json("POST", "/api/v1/tasks?allow_defaults=true", tasks)
            _ = try await client.call("POST", "/api/v1/pools/\(poolID)/open")
            let closed = try await client.json("GET", "/api/v1/pools/\(poolID)")
            #expect(closed["last_close_reason"] as? String == "COMPLETED")

            let op = try await client.json("POST", "/api/v1/aggregated-solutions/aggregate-by-pool",
                                           ["pool_id": poolID, "type": "DAWID_SKENE", "fields": [["name": "result"]]])
            #expect(op["type"] as? String == "SOLUTION.AGGREGATE")
            let opID = try #require(op["id"] as? String)
            let page = try await client.json("GET", "/api/v1/aggregated-solutions/\(opID)?limit=1000")
            let items = try #require(page["items"] as? [[String: Any]])
            var served: [String: String] = [:]
            for item in items {
                let values = try #require(item["output_values"] as? [String: Any])
                served[try #require(item["task_id"] as? String)] = values["result"] as? String
                let confidence = try #require(item["confidence"] as? Double)
                #expect(confidence > 0 && confidence <= 1)
            }
            #expect(served.count == 60)

            let (status, tsv) = try await client.call("GET", "/api/new/requester/pools/\(poolID)/assignments.tsv")
            #expect(status == 200)
            try tsv.write(to: dir.appendingPathComponent("answers.tsv"))
            let run = try CLI.run(["aggregate", "answers.tsv", "--method", "ds", "--task-column", "ASSIGNMENT:task_id", "--out", "labels.tsv"], in: dir)
            try #require(run.status == 0, "stderr: \(run.stderr)")
            var cli: [String: String] = [:]
            for line in try String(contentsOf: dir.appendingPathComponent("labels.tsv"), encoding: .utf8).split(separator: "\n").dropFirst() {
                let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if cells.count >= 2 { cli[cells[0]] = cells[1] }
            }
            #expect(cli.count == 60)
            #expect(served == cli, "the endpoint and the CLI differ on \(served.filter { cli[$0.key] != $0.value }.count) tasks")
            // Not a trivial pool: the crowd disagrees on some tasks.
            #expect(Set(served.values).count == 3)

            let bad = try await client.call("POST", "/api/v1/aggregated-solutions/aggregate-by-pool",
                                            ["pool_id": poolID, "type": "MEDIAN", "fields": [["name": "nope"]]])
            #expect(bad.status == 400)
            let body = try #require(try JSONSerialization.jsonObject(with: bad.data) as? [String: Any])
            let payload = try #require(body["payload"] as? [String: Any])
            #expect(payload["type"] != nil && payload["fields.0.name"] != nil, "\(payload)")
        }
    }
}
