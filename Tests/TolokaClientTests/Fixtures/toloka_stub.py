#!/usr/bin/env python3
"""A tiny stand-in for Toloka's API, for TolokaClient's tests (not the emulator).

Implements just enough of spec §2-§8: requester, projects, pools (open closes the pool as
COMPLETED after a few polls, with assignments from a deterministic simulated crowd), tasks
(async and sync, operation_id idempotency, 409 OPERATION_ALREADY_EXISTS), operations and their
log, analytics, assignments; lists page with sort=id / id_gt / id_gte / id_lte / limit.

Scripted faults (POST /_control/faults, a JSON list), each:
  {"match": "GET /api/v1/assignments", "kind": K, "times": 1, "skip": 0, ...}
  kind "status":   answer `status` (429, 500, ...) with optional "retry_after" header value
                   and optional "payload"
  kind "drop":     close the connection without answering
  kind "truncate": handle the request, send the headers and half the body, then close
  kind "slow":     sleep "seconds" and then handle normally
  kind "lose":     handle the request (its effects happen) but close without answering
GET /_control/stats: counts and duplicates; GET /_control/requests: every request seen
(method, path, query, body, whether an Authorization header came); POST /_control/reset.

Usage: toloka_stub.py --token T [--port 0] [--close-after-polls N] [--workers N]
Prints "PORT <n>" on stdout once listening.
"""
import argparse
import hashlib
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.RLock()
ARGS = None


def now():
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds")


class Store:
    def __init__(self):
        self.projects = {}
        self.pools = {}
        self.tasks = {}          # pool id -> list of tasks (id order)
        self.assignments = {}    # pool id -> list
        self.operations = {}
        self.logs = {}
        self.pending_ops = {}    # op id -> polls left before SUCCESS
        self.next_project = 1000
        self.next_pool = 5000
        self.counter = int(time.time()) << 64
        self.polls = {}          # pool id -> GETs since open
        self.faults = []
        self.requests = []

    def oid(self, pool_id):
        self.counter += 1
        return "%010x--%024x" % (int(pool_id), self.counter)


S = Store()


def page(items, q, default_limit=50):
    key = lambda x: x["id"]
    numeric = all(x["id"].isdigit() for x in items)
    k = (lambda x: int(x["id"])) if numeric else key
    conv = (lambda v: int(v)) if numeric else (lambda v: v)
    sort = q.get("sort", "id")
    items = sorted(items, key=k, reverse=sort.startswith("-"))
    for name, op in (("id_gt", lambda a, b: a > b), ("id_gte", lambda a, b: a >= b), ("id_lt", lambda a, b: a < b), ("id_lte", lambda a, b: a <= b)):
        if name in q:
            items = [x for x in items if op(k(x), conv(q[name]))]
    limit = int(q.get("limit", default_limit))
    return {"items": items[:limit], "has_more": len(items) > limit}


def error(code, message, status, payload=None):
    body = {"request_id": str(uuid.uuid4()), "code": code, "message": message}
    if payload is not None:
        body["payload"] = payload
    return status, body, {}


def simulate_crowd(pool):
    """Every real task gets its overlap from distinct workers; suites of real + golden tasks."""
    pid = pool["id"]
    mixer = pool.get("mixer_config") or {"real_tasks_count": 1, "golden_tasks_count": 0}
    real = [t for t in S.tasks.get(pid, []) if not t.get("known_solutions")]
    golden = [t for t in S.tasks.get(pid, []) if t.get("known_solutions")]
    rng = random.Random(int(pid))
    workers = ["%032x" % rng.getrandbits(128) for _ in range(ARGS.workers)]
    skill = {w: rng.choice([0.95, 0.9, 0.85, 0.6]) for w in workers}
    labels = ["male", "female"]

    def truth(t):
        h = int(hashlib.md5(json.dumps(t["input_values"], sort_keys=True).encode()).hexdigest(), 16)
        return labels[h % 2]

    out = S.assignments.setdefault(pid, [])
    remaining = {t["id"]: t.get("overlap") or 1 for t in real}
    done_by = {t["id"]: set() for t in real}
    wi = 0
    rk, gk = mixer.get("real_tasks_count", 1) or 1, mixer.get("golden_tasks_count", 0)
    guard = 0
    while any(v > 0 for v in remaining.values()) and guard < 100000:
        guard += 1
        w = workers[wi % len(workers)]
        wi += 1
        todo = [t for t in real if remaining[t["id"]] > 0 and w not in done_by[t["id"]]][:rk]
        if not todo:
            continue
        suite = todo + (rng.sample(golden, min(gk, len(golden))) if golden else [])
        sols = []
        for t in suite:
            right = t["known_solutions"][0]["output_values"]["result"] if t.get("known_solutions") else truth(t)
            ans = right if rng.random() < skill[w] else [l for l in labels if l != right][0]
            sols.append({"output_values": {"result": ans}})
        for t in todo:
            remaining[t["id"]] -= 1
            done_by[t["id"]].add(w)
        ts = now()
        out.append({"id": S.oid(pid), "task_suite_id": S.oid(pid), "pool_id": pid, "user_id": w, "status": "ACCEPTED",
                    "reward": pool.get("reward_per_assignment", 0.01), "tasks": suite, "solutions": sols, "mixed": True,
                    "automerged": False, "created": ts, "submitted": ts, "accepted": ts,
                    "owner": {"id": "requester", "myself": True}})


def new_op(kind, status="SUCCESS", parameters=None, details=None, polls=0):
    op = {"id": str(uuid.uuid4()), "type": kind, "status": status, "submitted": now(), "progress": 100 if status == "SUCCESS" else 0,
          "parameters": parameters or {}}
    if status == "SUCCESS":
        op["started"] = op["finished"] = now()
        op["details"] = details or {}
    return op


def handle(method, path, q, body):
    if not path.startswith("/api/"):
        return error("DOES_NOT_EXIST", "no such path", 404)
    p = path[len("/api"):]
    parts = [x for x in p.split("/") if x]
    if method == "GET" and p == "/v1/requester":
        return 200, {"id": "566ec2b0ff0deeaae5f9d500629de162", "balance": 121.3, "public_name": {"EN": "Test"}}, {}
    if p == "/v1/projects":
        if method == "POST":
            S.next_project += 1
            obj = dict(body, id=str(S.next_project), status="ACTIVE", created=now(), owner={"id": "requester", "myself": True})
            S.projects[obj["id"]] = obj
            return 201, obj, {}
        return 200, page(list(S.projects.values()), q, 20), {}
    if len(parts) == 3 and parts[1] == "projects" and method == "GET":
        return (200, S.projects[parts[2]], {}) if parts[2] in S.projects else error("DOES_NOT_EXIST", "Object not found", 404)
    if p == "/v1/pools":
        if method == "POST":
            if body.get("project_id") not in S.projects:
                return error("VALIDATION_ERROR", "Validation failed", 400, {"project_id": {"code": "ENTITY_DOES_NOT_EXIST", "message": "no project"}})
            S.next_pool += 1
            obj = dict(body, id=str(S.next_pool), status="CLOSED", created=now(), type="REGULAR")
            S.pools[obj["id"]] = obj
            return 201, obj, {}
        items = [x for x in S.pools.values() if "project_id" not in q or x["project_id"] == q["project_id"]]
        return 200, page(items, q, 20), {}
    if len(parts) >= 3 and parts[1] == "pools":
        pool = S.pools.get(parts[2])
        if pool is None:
            return error("DOES_NOT_EXIST", "Object not found", 404)
        if len(parts) == 3 and method == "GET":
            if pool["status"] == "OPEN":
                S.polls[pool["id"]] = S.polls.get(pool["id"], 0) + 1
                if S.polls[pool["id"]] > ARGS.close_after_polls:
                    pool.update(status="CLOSED", last_close_reason="COMPLETED", last_stopped=now())
            return 200, pool, {}
        if len(parts) == 4 and parts[3] == "open" and method == "POST":
            if pool["status"] == "OPEN":
                return 204, None, {}
            if not S.tasks.get(pool["id"]):
                return error("EMPTY_POOL", "Pool is empty", 409)
            pool.update(status="OPEN", last_started=now())
            S.polls[pool["id"]] = 0
            if pool["id"] not in S.assignments:
                simulate_crowd(pool)
            op = new_op("POOL.OPEN", parameters={"pool_id": pool["id"]})
            S.operations[op["id"]] = op
            return 202, op, {}
    if p == "/v1/tasks" and method == "POST":
        op_id = q.get("operation_id")
        if op_id and op_id in S.operations:
            return error("OPERATION_ALREADY_EXISTS", "Operation with this id already exists", 409)
        items = body if isinstance(body, list) else [body]
        created, log = {}, []
        for i, t in enumerate(items):
            t = dict(t)
            idx = t.pop("__item_idx", None)
            pool = S.pools.get(str(t.get("pool_id")))
            if pool is None:
                log.append({"type": "TASK_VALIDATE", "success": False, "input": items[i], "output": {"pool_id": {"code": "ENTITY_DOES_NOT_EXIST"}}})
                continue
            if t.get("infinite_overlap"):
                t["overlap"] = None
                t.pop("overlap")
            elif t.get("overlap") is None and q.get("allow_defaults") == "true":
                t["overlap"] = pool["defaults"]["default_overlap_for_new_task_suites"]
                t["infinite_overlap"] = False
            t["id"] = S.oid(pool["id"])
            t["created"] = now()
            S.tasks.setdefault(pool["id"], []).append(t)
            created[str(i)] = t
            log.append({"type": "TASK_CREATE", "success": True, "input": items[i], "output": {"task_id": t["id"]}})
        details = {"total_count": len(items), "valid_count": len(created), "not_valid_count": len(items) - len(created),
                   "success_count": len(created), "failed_count": len(items) - len(created)}
        op = new_op("TASK.BATCH_CREATE", parameters={"allow_defaults": q.get("allow_defaults") == "true"}, details=details)
        if op_id:
            op["id"] = op_id
        if q.get("async_mode", "false") == "true":
            op.update(status="RUNNING", progress=0)
            S.pending_ops[op["id"]] = (1, details)
            op.pop("details", None); op.pop("finished", None)
        S.operations[op["id"]] = op
        S.logs[op["id"]] = log
        if q.get("async_mode", "false") == "true":
            return 202, op, {}
        return 201, {"items": created, "validation_errors": {}}, {}
    if p == "/v1/tasks" and method == "GET":
        return 200, page(S.tasks.get(q.get("pool_id"), []), q), {}
    if len(parts) >= 3 and parts[1] == "operations" and method == "GET":
        op = S.operations.get(parts[2])
        if op is None:
            return error("DOES_NOT_EXIST", "Operation not found", 404)
        if len(parts) == 4 and parts[3] == "log":
            return 200, S.logs.get(op["id"], []), {}
        if op["id"] in S.pending_ops:
            left, details = S.pending_ops[op["id"]]
            if left <= 0:
                del S.pending_ops[op["id"]]
                op.update(status="SUCCESS", progress=100, started=now(), finished=now(), details=details)
            else:
                S.pending_ops[op["id"]] = (left - 1, details)
        return 200, op, {}
    if p == "/staging/analytics-2" and method == "POST":
        values = []
        for r in body:
            pid = r["subject_id"]
            asg = S.assignments.get(pid, [])
            pool = S.pools.get(pid, {})
            done = 1.0 if pool.get("status") == "CLOSED" else min(1.0, S.polls.get(pid, 0) / max(1, ARGS.close_after_polls))
            n = int(len(asg) * done)
            if r["name"] == "completion_percentage":
                res = {"type": "NORMAL", "value": int(100 * done), "infinite": False, "approximate": False}
            elif r["name"] in ("submitted_assignments_count", "approved_assignments_count"):
                res = n
            else:
                res = 0
            values.append({"request": r, "result": res, "finished": now()})
        op = new_op("ANALYTICS", parameters={"value": body}, details={"value": values})
        S.operations[op["id"]] = op
        return 202, op, {}
    if p == "/v1/assignments" and method == "GET":
        items = S.assignments.get(q.get("pool_id"), [])
        pool = S.pools.get(q.get("pool_id"), {})
        if pool.get("status") != "CLOSED":
            items = []
        if "status" in q:
            wanted = q["status"].split(",")
            items = [a for a in items if a["status"] in wanted]
        return 200, page(items, q), {}
    return error("DOES_NOT_EXIST", "no such resource: %s %s" % (method, path), 404)


def stats():
    out = {"projects": len(S.projects), "pools": len(S.pools), "tasks": {}, "duplicate_tasks": {}, "assignments": {}}
    for pid, tasks in S.tasks.items():
        out["tasks"][pid] = len(tasks)
        keys = {}
        for t in tasks:
            k = json.dumps([t["input_values"], t.get("known_solutions")], sort_keys=True)
            keys[k] = keys.get(k, 0) + 1
        out["duplicate_tasks"][pid] = sum(v - 1 for v in keys.values())
    for pid, a in S.assignments.items():
        out["assignments"][pid] = [x["id"] for x in a if x["status"] == "ACCEPTED"]
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _run(self, method):
        u = urlparse(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self._send(400, {"request_id": "x", "code": "VALIDATION_ERROR", "message": "bad JSON"})
        if u.path.startswith("/_control/"):
            with LOCK:
                if u.path == "/_control/faults":
                    S.faults.extend(body or [])
                    return self._send(200, {"ok": True})
                if u.path == "/_control/clear-faults":
                    S.faults = []
                    return self._send(200, {"ok": True})
                if u.path == "/_control/stats":
                    return self._send(200, stats())
                if u.path == "/_control/requests":
                    return self._send(200, S.requests)
                if u.path == "/_control/reset":
                    globals()["S"] = Store()
                    return self._send(200, {"ok": True})
            return self._send(404, {})
        auth = self.headers.get("Authorization")
        with LOCK:
            S.requests.append({"method": method, "path": u.path, "query": q, "body": body, "authorized": auth is not None,
                               "headers": {k: v for k, v in self.headers.items() if k.lower() != "authorization"}})
            fault = None
            for f in S.faults:
                if f.get("times", 1) <= 0:
                    continue
                if not ("%s %s" % (method, u.path)).startswith(f["match"]):
                    continue
                if f.get("skip", 0) > 0:
                    f["skip"] -= 1
                    continue
                f["times"] = f.get("times", 1) - 1
                fault = f
                break
        if fault and fault["kind"] == "slow":
            time.sleep(fault.get("seconds", 1))
        if fault and fault["kind"] == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault and fault["kind"] == "status":
            headers = {}
            if "retry_after" in fault:
                headers["Retry-After"] = str(fault["retry_after"])
            code = {429: "TOO_MANY_REQUESTS", 500: "INTERNAL_ERROR", 503: "REMOTE_SERVICE_UNAVAILABLE"}.get(fault["status"], "ERROR")
            b = {"request_id": str(uuid.uuid4()), "code": code, "message": "scripted fault"}
            if "payload" in fault:
                b["payload"] = fault["payload"]
            return self._send(fault["status"], b, headers)
        if auth not in ("ApiKey " + ARGS.token, "OAuth " + ARGS.token):
            return self._send(401, {"request_id": str(uuid.uuid4()), "code": "AUTHENTICATION_ERROR", "message": "Authentication failed"})
        if method in ("POST", "PUT", "PATCH") and raw and "application/json" not in (self.headers.get("Content-Type") or ""):
            return self._send(415, {"request_id": "x", "code": "UNSUPPORTED_MEDIA_TYPE", "message": "use application/json"})
        with LOCK:
            try:
                status, obj, headers = handle(method, u.path, q, body)
            except Exception as e:  # a bug here must show up in the test, not hang it
                status, obj, headers = 500, {"request_id": "x", "code": "INTERNAL_ERROR", "message": repr(e)}, {}
        if fault and fault["kind"] == "lose":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault and fault["kind"] == "truncate":
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(status, obj, headers)

    def _send(self, status, obj, headers=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._run("GET")

    def do_POST(self):
        self._run("POST")

    def do_PATCH(self):
        self._run("PATCH")

    def do_PUT(self):
        self._run("PUT")


def main():
    global ARGS
    # A parent's blocked signal mask is inherited: make SIGTERM work again.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, set(signal.Signals))
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", required=True)
    ap.add_argument("--close-after-polls", type=int, default=2)
    ap.add_argument("--workers", type=int, default=12)
    ap.add_argument("--port-file", help="also write the port here (atomically)")
    ARGS = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    if ARGS.port_file:
        with open(ARGS.port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    # Exit when the test process that started us is gone (no stray servers after a crash).
    parent = os.getppid()

    def watch_parent():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
