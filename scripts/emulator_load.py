#!/usr/bin/env python3
"""Load check for `tally emulator serve`: N mixed requests from local threads over keep-alive
connections, as fast as they go. Not a test: prints requests/s, statuses per request kind, and the
server's resident memory before and after (from /proc, given --pid).

    tally emulator serve --port 8000 --speed instant --rate-limit projects=20/min,pools=20/min &
    python3 scripts/emulator_load.py --port 8000 --pid $! --requests 10000 --threads 8

Prints each round's request latencies (median, 99th percentile, worst) too.
Only loopback addresses are accepted. The mix, per request: 30% GET pool, 15% GET a page of
accepted assignments (limit 50, id_gt cursor), 15% GET a page of tasks, 10% GET a task, 10% POST
analytics-2, 5% GET an operation, 5% GET requester, 5% POST one task (sync), 5% POST a project
(more than the 20/min quota: these are the 429s the server is configured to send).
"""
import argparse
import collections
import http.client
import json
import random
import threading
import time


def rss_kib(pid):
    if not pid:
        return None
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return None


class Client:
    def __init__(self, host, port, token):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.headers = {'Authorization': f'OAuth {token}', 'Content-Type': 'application/json'}

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body)
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=self.headers)
                r = self.conn.getresponse()
                payload = r.read()
                return r.status, (json.loads(payload) if payload else None)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise


PROJECT = {
    'public_name': 'Load', 'public_description': 'Load test',
    'task_spec': {'input_spec': {'path': {'type': 'url'}}, 'output_spec': {'result': {'type': 'string'}}},
}


def setup(client):
    project = client.call('POST', '/api/v1/projects', PROJECT)[1]
    pool = client.call('POST', '/api/v1/pools', {
        'project_id': project['id'], 'private_name': 'load', 'reward_per_assignment': 0.01,
        'assignment_max_duration_seconds': 600, 'will_expire': '2099-01-01T00:00:00',
        'defaults': {'default_overlap_for_new_task_suites': 3},
        'mixer_config': {'real_tasks_count': 4, 'golden_tasks_count': 1, 'training_tasks_count': 0},
    })[1]
    tasks = [{'pool_id': pool['id'], 'input_values': {'path': f'https://tally.invalid/{i}.wav'},
              **({'known_solutions': [{'output_values': {'result': 'male' if i % 2 else 'female'}}], 'infinite_overlap': True} if i < 20 else {})}
             for i in range(120)]
    status, op = client.call('POST', '/api/v1/tasks?async_mode=true&allow_defaults=true&open_pool=true', tasks)
    assert status == 202, (status, op)
    for _ in range(10):
        status, op = client.call('GET', f'/api/v1/operations/{op["id"]}')
        if op['status'] in ('SUCCESS', 'FAIL'):
            break
    task_ids = [t['id'] for t in client.call('GET', f'/api/v1/tasks?pool_id={pool["id"]}&limit=200')[1]['items']]
    return pool['id'], task_ids, op['id']


MIX = [('get_pool', 30), ('assignments_page', 15), ('tasks_page', 15), ('get_task', 10), ('analytics', 10),
       ('get_operation', 5), ('requester', 5), ('create_task', 5), ('create_project', 5)]
WRITES = {'analytics', 'create_task', 'create_project'}


def worker(args, pool_id, task_ids, op_id, count, results, rng_seed, latencies):
    rng = random.Random(rng_seed)
    client = Client(args.host, args.port, args.token)
    cursor = ''
    mix = [(k, w) for k, w in MIX if not (args.read_only and k in WRITES)]
    kinds, weights = [k for k, _ in mix], [w for _, w in mix]
    for i in range(count):
        kind = rng.choices(kinds, weights)[0]
        body = None
        if kind == 'get_pool':
            method, path = 'GET', f'/api/v1/pools/{pool_id}'
        elif kind == 'assignments_page':
            method, path = 'GET', f'/api/v1/assignments?pool_id={pool_id}&status=ACCEPTED&sort=id&limit=50{cursor}'
        elif kind == 'tasks_page':
            method, path = 'GET', f'/api/v1/tasks?pool_id={pool_id}&sort=id&limit=50'
        elif kind == 'get_task':
            method, path = 'GET', f'/api/v1/tasks/{rng.choice(task_ids)}'
        elif kind == 'analytics':
            method, path, body = 'POST', '/api/staging/analytics-2', [{'subject': 'POOL', 'subject_id': pool_id, 'name': 'completion_percentage'}]
        elif kind == 'get_operation':
            method, path = 'GET', f'/api/v1/operations/{op_id}'
        elif kind == 'requester':
            method, path = 'GET', '/api/v1/requester'
        elif kind == 'create_task':
            method, path, body = 'POST', '/api/v1/tasks?allow_defaults=true', {'pool_id': pool_id, 'input_values': {'path': f'https://tally.invalid/extra-{rng_seed}-{i}.wav'}}
        else:
            method, path, body = 'POST', '/api/v1/projects', PROJECT
        t0 = time.perf_counter()
        status, payload = client.call(method, path, body)
        latencies.append(time.perf_counter() - t0)
        results[(kind, status)] += 1
        if kind == 'assignments_page' and status == 200:
            items = payload['items']
            cursor = f'&id_gt={items[-1]["id"]}' if payload['has_more'] and items else ''


def run(args, pool_id, task_ids, op_id):
    results = collections.Counter()
    latencies = []  # seconds per request, all threads (list.append is atomic)
    per_thread = [args.requests // args.threads + (1 if t < args.requests % args.threads else 0) for t in range(args.threads)]
    threads = [threading.Thread(target=worker, args=(args, pool_id, task_ids, op_id, n, results, 1000 + t, latencies)) for t, n in enumerate(per_thread)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - start, sorted(latencies)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--token', default='load-token')
    p.add_argument('--pid', type=int)
    p.add_argument('--requests', type=int, default=10000)
    p.add_argument('--threads', type=int, default=8)
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--read-only', action='store_true', help='only GETs: shows memory stays flat when nothing is stored')
    args = p.parse_args()
    if args.host not in ('127.0.0.1', 'localhost', '::1') and not args.host.startswith('127.'):
        raise SystemExit('loopback addresses only')
    pool_id, task_ids, op_id = setup(Client(args.host, args.port, args.token))
    print(f'setup: pool {pool_id}, {len(task_ids)} tasks; server RSS {rss_kib(args.pid)} KiB')
    for round_ in range(args.rounds):
        before = rss_kib(args.pid)
        results, elapsed, latencies = run(args, pool_id, task_ids, op_id)
        after = rss_kib(args.pid)
        total = sum(results.values())
        unexpected = {k: v for k, v in results.items() if k[1] >= 400 and not (k[1] == 429 and k[0] == 'create_project')}
        print(f'round {round_ + 1}: {total} requests in {elapsed:.2f} s = {total / elapsed:.0f} req/s; '
              f'RSS {before} -> {after} KiB; unexpected errors: {sum(unexpected.values())}')
        if latencies:
            pick = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000
            print(f'   latency: median {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, worst {latencies[-1] * 1000:.1f} ms')
        for (kind, status), n in sorted(results.items()):
            print(f'   {kind:18s} {status}  {n}')
        if unexpected:
            raise SystemExit(f'unexpected errors: {unexpected}')


if __name__ == '__main__':
    main()
