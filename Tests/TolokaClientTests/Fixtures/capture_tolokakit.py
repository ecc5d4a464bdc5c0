#!/usr/bin/env python3
"""Captures what toloka-kit 0.1.26 sends for the notebook's project, pool and tasks.

Run with the pinned notebook environment (scripts/toloka-kit-0.1.26-requirements.txt):
    /work/.venv-toloka/bin/python capture_tolokakit.py TASKS.tsv OUT.json
It starts toloka_stub.py on a free port, runs the notebook's object definitions with
toloka-kit against it, and writes the JSON bodies of POST /projects, POST /pools and
POST /tasks (with its query) to OUT.json.
"""
import datetime
import json
import os
import subprocess
import sys
import urllib.request

import toloka.client as toloka
import toloka.client.project.template_builder as tb

here = os.path.dirname(os.path.abspath(__file__))
tasks_file, out_file = sys.argv[1], sys.argv[2]
token = "capture-token"
server = subprocess.Popen([sys.executable, os.path.join(here, "toloka_stub.py"), "--token", token], stdout=subprocess.PIPE, text=True)
port = int(server.stdout.readline().split()[1])
try:
    client = toloka.TolokaClient(token, url="http://127.0.0.1:%d" % port)

    # The notebook: project with an audio player and a two-button answer.
    project = toloka.Project(
        public_name="Is it a male or female speaker?",
        public_description="Listen to the audio and choose whether the speaker is male or female.",
        public_instructions="Listen to the recording to the end, then choose <b>Male</b> or <b>Female</b>.",
        task_spec=toloka.project.task_spec.TaskSpec(
            input_spec={"path": toloka.project.UrlSpec()},
            output_spec={"result": toloka.project.StringSpec()},
            view_spec=toloka.project.TemplateBuilderViewSpec(
                view=tb.ListViewV1([
                    tb.AudioViewV1(tb.InputData("path"), validation=tb.PlayedConditionV1(hint="you need to listen to the audio")),
                    tb.ButtonRadioGroupFieldV1(
                        tb.OutputData("result"),
                        [tb.GroupFieldOption("female", "Female"), tb.GroupFieldOption("male", "Male")],
                        label="Is it a male or female speaker?",
                        validation=tb.RequiredConditionV1(),
                    ),
                ]),
                plugins=[
                    tb.TolokaPluginV1("scroll", task_width=300),
                    tb.HotkeysPluginV1(
                        key_1=tb.SetActionV1(tb.OutputData("result"), "female"),
                        key_2=tb.SetActionV1(tb.OutputData("result"), "male"),
                    ),
                ],
            ),
        ),
    )
    project = client.create_project(project)

    pool = toloka.Pool(
        project_id=project.id,
        private_name="Is it a male or female speaker",
        may_contain_adult_content=False,
        will_expire=datetime.datetime(2026, 1, 1),
        reward_per_assignment=0.01,
        assignment_max_duration_seconds=60 * 20,
        defaults=toloka.Pool.Defaults(default_overlap_for_new_task_suites=3),
        filter=toloka.filter.Languages.in_("EN") & (
            (toloka.filter.ClientType == "TOLOKA_APP") | (toloka.filter.ClientType == "BROWSER")),
    )
    pool.set_mixer_config(real_tasks_count=4, golden_tasks_count=1, training_tasks_count=0)
    pool.quality_control.add_action(
        collector=toloka.collectors.GoldenSet(history_size=10),
        conditions=[
            toloka.conditions.GoldenSetCorrectAnswersRate <= 80,
            toloka.conditions.GoldenSetAnswersCount >= 1,
        ],
        action=toloka.actions.RestrictionV2(scope="POOL", duration=3, duration_unit="DAYS", private_comment="bad quality"),
    )
    pool = client.create_pool(pool)

    rows = [line.rstrip("\n").split("\t") for line in open(tasks_file)][1:]
    golden = [toloka.Task(input_values={"path": u}, known_solutions=[toloka.task.BaseTask.KnownSolution(output_values={"result": g})],
                          infinite_overlap=True, pool_id=pool.id) for u, g in rows if g]
    real = [toloka.Task(input_values={"path": u}, pool_id=pool.id) for u, g in rows if not g]
    client.create_tasks(golden + real, allow_defaults=True)

    seen = json.load(urllib.request.urlopen("http://127.0.0.1:%d/_control/requests" % port))
    out = {}
    for r in seen:
        if r["method"] != "POST":
            continue
        if r["path"] == "/api/v1/projects":
            out["project"] = r["body"]
        elif r["path"] == "/api/v1/pools":
            out["pool"] = r["body"]
        elif r["path"] == "/api/v1/tasks":
            q = dict(r["query"])
            q.pop("operation_id", None)
            out["tasks_query"] = q
            out["tasks"] = r["body"]
    out["user_agent"] = next(r["headers"].get("User-Agent") for r in seen)
    out["calls"] = ["%s %s" % (r["method"], r["path"]) for r in seen]
    with open(out_file, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
finally:
    server.terminate()
