extension Route {
    /// Every route the emulator answers: Toloka's API under `/api`, the emulator's own under `/_emulator`.
    ///
    /// A new route is one line here and a handler on ``EmulatorStore`` (in `Server/Handlers/`).
    static let table: [Route] = [
        // The requester
        Route(.get, "/api/v1/requester") { $0.store.requester() },

        // Projects
        Route(.post, "/api/v1/projects", rate: .projects, status: 201) { try $0.store.createProject($0.body()) },
        Route(.get, "/api/v1/projects") { try $0.store.listProjects($0.query) },
        Route(.get, "/api/v1/projects/{project:int}") { try $0.store.project($0.parameters["project"]).renderedJSON(owner: $0.store.owner) },
        Route(.put, "/api/v1/projects/{project:int}") { try $0.store.updateProject($0.parameters["project"], $0.body()) },

        // Pools
        Route(.post, "/api/v1/pools", rate: .pools, status: 201) { try $0.store.createPool($0.body()) },
        Route(.get, "/api/v1/pools") { try $0.store.listPools($0.query) },
        Route(.get, "/api/v1/pools/{pool:int}") { try $0.store.render($0.store.pool($0.parameters["pool"])) },
        Route(.post, "/api/v1/pools/{pool:int}/open") { try $0.store.poolAction($0.parameters["pool"], "open") },
        Route(.post, "/api/v1/pools/{pool:int}/close") { try $0.store.poolAction($0.parameters["pool"], "close") },
        Route(.post, "/api/v1/pools/{pool:int}/archive") { try $0.store.poolAction($0.parameters["pool"], "archive") },
        Route(.put, "/api/v1/pools/{pool:int}") { try $0.store.updatePool($0.parameters["pool"], $0.body()) },
        Route(.post, "/api/v1/pools/{pool:int}/clone") { try $0.store.clonePool($0.parameters["pool"]) },

        // Trainings (in the pools' id space: the pool routes above accept a training's id too)
        Route(.post, "/api/v1/trainings", status: 201) { try $0.store.createTraining($0.body()) },
        Route(.get, "/api/v1/trainings") { try $0.store.listTrainings($0.query) },
        Route(.get, "/api/v1/trainings/{training:int}") { try $0.store.renderTraining($0.store.training($0.parameters["training"])) },
        Route(.post, "/api/v1/trainings/{training:int}/open") { try $0.store.poolAction($0.parameters["training"], "open", asTraining: true) },
        Route(.post, "/api/v1/trainings/{training:int}/close") { try $0.store.poolAction($0.parameters["training"], "close", asTraining: true) },
        Route(.post, "/api/v1/trainings/{training:int}/archive") { try $0.store.poolAction($0.parameters["training"], "archive", asTraining: true) },

        // Tasks
        Route(.post, "/api/v1/tasks", rate: .tasks) { try $0.store.createTasks($0.body(), query: $0.query, keys: $0.request.taskKeys) },
        Route(.get, "/api/v1/tasks") { try $0.store.listTasks($0.query) },
        Route(.get, "/api/v1/tasks/{task}") { try $0.store.task($0.parameters["task"]) },
        Route(.post, "/api/v1/task-suites") { try $0.store.createTaskSuites($0.body(), query: $0.query) },
        Route(.get, "/api/v1/task-suites") { try $0.store.listTaskSuites($0.query) },
        Route(.get, "/api/v1/task-suites/{suite}") { try $0.store.taskSuite($0.parameters["suite"]) },

        // Operations and analytics
        Route(.get, "/api/v1/operations") { try $0.store.listOperations($0.query) },
        Route(.get, "/api/v1/operations/{operation}") { try $0.store.readOperation($0.parameters["operation"]) },
        Route(.get, "/api/v1/operations/{operation}/log") { try $0.store.operationLog($0.parameters["operation"]) },
        Route(.post, "/api/staging/analytics-2", rate: .analytics, status: 202) { try $0.store.analytics($0.body()) },

        // Assignments, restrictions, the results file
        Route(.get, "/api/v1/assignments", rate: .assignments) { try $0.store.listAssignments($0.query) },
        Route(.get, "/api/v1/assignments/{assignment}") { try $0.store.assignment($0.parameters["assignment"]) },
        Route(.patch, "/api/v1/assignments/{assignment}") { try $0.store.reviewAssignment($0.parameters["assignment"], $0.body()) },
        Route(.get, "/api/v1/user-restrictions") { try $0.store.listRestrictions($0.query) },
        Route(.put, "/api/v1/user-restrictions", status: 201) { try $0.store.setRestriction($0.body()) },
        Route(.get, "/api/v1/attachments/{attachment}") { try $0.store.attachmentJSON($0.parameters["attachment"]) },
        Route(.get, "/api/v1/attachments/{attachment}/download") { try $0.store.downloadAttachment($0.parameters["attachment"]) },
        Route(.get, "/api/new/requester/pools/{pool:int}/assignments.tsv") { try $0.store.exportTSV($0.parameters["pool"], query: $0.query) },

        // Skills and Tolokers' skill values
        Route(.post, "/api/v1/skills", status: 201) { try $0.store.createSkill($0.body()) },
        Route(.get, "/api/v1/skills") { try $0.store.listSkills($0.query) },
        Route(.get, "/api/v1/skills/{skill:int}") { try $0.store.skill($0.parameters["skill"]).rendered },
        Route(.get, "/api/v1/user-skills") { try $0.store.listUserSkills($0.query) },
        Route(.put, "/api/v1/user-skills", status: 201) { try $0.store.setUserSkill($0.body()) },

        // Toloka's aggregation (Tally's methods behind it)
        Route(.post, "/api/v1/aggregated-solutions/aggregate-by-pool") { try $0.store.aggregateByPool($0.body()) },
        Route(.get, "/api/v1/aggregated-solutions/{operation}") { try $0.store.listAggregatedSolutions($0.parameters["operation"], query: $0.query) },

        // The emulator's own routes
        Route(.get, "/_emulator/status") { $0.store.emulatorStatus(responsesByStatus: $0.statusCounts.counts) },
        Route(.get, "/_emulator/crowd") { $0.store.crowdJSON() },
        Route(.get, "/_emulator/pools/{pool:int}/quality-control-log") { try $0.store.qualityControlLog($0.parameters["pool"]) },
        Route(.get, "/_emulator/pools/{pool:int}/truth") { try $0.store.truthTSV($0.parameters["pool"]) },
        Route(.post, "/_emulator/faults") { try $0.faults.replaceRules($0.body()) },
    ]
}
