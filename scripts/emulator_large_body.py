#!/usr/bin/env python3
"""One large request beside a stream of small ones, against `tally emulator serve`: how long does a
small request wait while the large one is handled? Not a test: prints the small requests' latencies
(median, 99th percentile, worst) during the large request, per kind of large request, and exits 1
when the worst exceeds --limit-ms.

    tally emulator serve --port 8000 --speed instant --rate-limit none --token-env TOKEN &
    python3 scripts/emulator_large_body.py --port 8000 --token "$TOKEN" --mb 10 --rounds 5

Large requests (each about --mb megabytes unless said): `sync-tasks`, one synchronous POST
/api/v1/tasks with more than the 5,000 tasks a request may carry (413); `bad-project`, a POST
/api/v1/projects whose body is a JSON array (400 after parsing); `async-tasks`, an asynchronous
upload of 5,000 tasks whose input values total more than Toloka's 1 MiB per request (400);
`largest-valid`, the largest upload Toloka accepts (5,000 tasks, 1 MiB of input values and 4 MiB of
known solutions, about 5.7 MB whatever --mb says; created). Small requests: GET /api/v1/requester,
back to back from --threads threads over keep-alive connections. Only loopback addresses are accepted.
"""
import argparse
import http.client
import json
import statistics
import threading
import time


def call(conn, method, path, body=None, token='load-token'):
    headers = {'Authorization': f'OAuth {token}'}
    if body is not None:
        headers['Content-Type'] = 'application/json'
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


def setup(host, port, token):
    c = http.client.HTTPConnection(host, port, timeout=60)
    project = json.loads(call(c, 'POST', '/api/v1/projects', json.dumps({
        'public_name': 'Large', 'public_description': 'Large body check',
        'task_spec': {'input_spec': {'path': {'type': 'string'}}, 'output_spec': {'result': {'type': 'string'}}}}), token)[1])
    pool = json.loads(call(c, 'POST', '/api/v1/pools', json.dumps({
        'project_id': project['id'], 'private_name': 'large', 'reward_per_assignment': 0.01,
        'assignment_max_duration_seconds': 600, 'will_expire': '2099-01-01T00:00:00',
        'defaults': {'default_overlap_for_new_task_suites': 3},
        'mixer_config': {'real_tasks_count': 4, 'golden_tasks_count': 0, 'training_tasks_count': 0}}), token)[1])
    return pool['id']


def large_body(kind, pool_id, mb):
    size = mb * 1_000_000
    if kind == 'sync-tasks':
        pad = 'p' * 200
        one = len(json.dumps({'pool_id': pool_id, 'input_values': {'path': f'{0:08d}-{pad}'}, 'overlap': 3})) + 1
        n = size // one + 1
        return '/api/v1/tasks', json.dumps([{'pool_id': pool_id, 'input_values': {'path': f'{i:08d}-{pad}'}, 'overlap': 3} for i in range(n)])
    if kind == 'bad-project':
        pad = 'p' * 200
        n = size // (len(pad) + 3) + 1
        return '/api/v1/projects', json.dumps([pad] * n)
    if kind == 'async-tasks':
        n = 5000
        pad = 'p' * (size // n)
        return ('/api/v1/tasks?async_mode=true', json.dumps([{'pool_id': pool_id, 'input_values': {'path': f'{time.time_ns()}-{i}-{pad}'}, 'overlap': 1}
                                                             for i in range(n)]))
    if kind == 'largest-valid':
        n = 5000
        tag = time.time_ns()
        path_pad = 'i' * ((1 << 20) // n - 60)
        answer_pad = 'o' * ((4 << 20) // n - 40)
        return ('/api/v1/tasks?async_mode=true', json.dumps([{'pool_id': pool_id, 'input_values': {'path': f'{tag}-{i:05d}-{path_pad}'},
                                                               'known_solutions': [{'output_values': {'result': f'{i % 2}-{answer_pad}'}}],
                                                               'infinite_overlap': True} for i in range(n)]))
    raise SystemExit(f'unknown kind {kind}')


def round_(args, kind, pool_id):
    path, body = large_body(kind, pool_id, args.mb)
    body = body.encode()
    done = threading.Event()
    waits, errors = [], []
    lock = threading.Lock()

    def small():
        c = http.client.HTTPConnection(args.host, args.port, timeout=60)
        call(c, 'GET', '/api/v1/requester', token=args.token)  # connect first
        started.wait()
        while not done.is_set():
            t = time.perf_counter()
            status, _ = call(c, 'GET', '/api/v1/requester', token=args.token)
            dt = time.perf_counter() - t
            with lock:
                (waits if status == 200 else errors).append(dt if status == 200 else status)
            time.sleep(args.gap_ms / 1000)

    started = threading.Event()
    threads = [threading.Thread(target=small) for _ in range(args.threads)]
    for t in threads:
        t.start()
    big = http.client.HTTPConnection(args.host, args.port, timeout=300)
    time.sleep(0.2)
    started.set()
    time.sleep(0.05)
    t0 = time.perf_counter()
    status, answer = call(big, 'POST', path, body, token=args.token)
    big_s = time.perf_counter() - t0
    done.set()
    for t in threads:
        t.join()
    return len(body), status, big_s, waits, errors


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--token', default='load-token')
    p.add_argument('--mb', type=int, default=10)
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--threads', type=int, default=4)
    p.add_argument('--gap-ms', type=float, default=2)
    p.add_argument('--kinds', default='sync-tasks,bad-project,async-tasks,largest-valid')
    p.add_argument('--limit-ms', type=float, default=100)
    args = p.parse_args()
    if args.host not in ('127.0.0.1', 'localhost', '::1') and not args.host.startswith('127.'):
        raise SystemExit('loopback addresses only')
    pool_id = setup(args.host, args.port, args.token)
    worst_all = 0
    for kind in args.kinds.split(','):
        for r in range(args.rounds):
            size, status, big_s, waits, errors = round_(args, kind, pool_id)
            waits_ms = sorted(w * 1000 for w in waits)
            worst = waits_ms[-1] if waits_ms else float('nan')
            p99 = waits_ms[min(len(waits_ms) - 1, int(len(waits_ms) * 0.99))] if waits_ms else float('nan')
            worst_all = max(worst_all, worst)
            print(f'{kind:12s} round {r + 1}: {size / 1e6:.1f} MB -> HTTP {status} in {big_s * 1000:.0f} ms; '
                  f'{len(waits_ms)} small requests meanwhile: median {statistics.median(waits_ms) if waits_ms else float("nan"):.1f} ms, '
                  f'p99 {p99:.1f} ms, worst {worst:.1f} ms; errors {len(errors)}')
    print(f'worst small request overall: {worst_all:.1f} ms (limit {args.limit_ms:.0f} ms)')
    if worst_all > args.limit_ms:
        raise SystemExit(1)


if __name__ == '__main__':
    main()
