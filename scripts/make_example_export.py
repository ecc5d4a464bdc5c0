#!/usr/bin/env python3
"""Writes datasets/toloka-audio-gender/export.tsv: a small, made-up Toloka "Download results"
export in the layout of ../shared/spec/toloka-api.md §11, shaped like the original audio-gender
notebook's pool (overlap 3, suites of 4 real + 1 golden task, labels male/female).

Deterministic (seeded); re-run to regenerate:  python3 scripts/make_example_export.py
Only the standard library is used. The ids are invented and point at nothing.
"""
import random

rng = random.Random(7)
POOL = "0000a1b2c3"
N_REAL, N_GOLD, OVERLAP = 24, 6, 3
workers = [f"{rng.getrandbits(64):016x}" for _ in range(9)]
accuracy = {w: a for w, a in zip(workers, [0.95, 0.92, 0.9, 0.88, 0.85, 0.8, 0.75, 0.55, 0.5])}
real = [(f"https://example.org/audio/{i:04d}.wav", rng.choice(["male", "female"])) for i in range(N_REAL)]
gold = [(f"https://example.org/audio/golden-{i:02d}.wav", rng.choice(["male", "female"])) for i in range(N_GOLD)]
task_ids = {url: f"{POOL}--{rng.getrandbits(96):024x}" for url, _ in real + gold}

def answer(worker, truth):
    if rng.random() < accuracy[worker]:
        return truth
    return "female" if truth == "male" else "male"

header = ["INPUT:audio", "OUTPUT:gender", "GOLDEN:gender", "HINT:text", "HINT:default_language",
          "ASSIGNMENT:link", "ASSIGNMENT:task_id", "ASSIGNMENT:assignment_id", "ASSIGNMENT:worker_id",
          "ASSIGNMENT:status", "ASSIGNMENT:started"]
rows = []
minute = 0
# Each real task gets OVERLAP distinct workers; each suite = 4 real tasks + 1 golden task.
slots = [url for _ in range(OVERLAP) for url, _ in real]
suites = [slots[i:i + 4] for i in range(0, len(slots), 4)]
truth = dict(real + gold)
done = {url: set() for url, _ in real}
for n, suite in enumerate(suites):
    candidates = [w for w in workers if not any(w in done[u] for u in suite)]
    worker = rng.choice(candidates or workers)
    golden_url = gold[n % N_GOLD][0]
    assignment = f"{POOL}--{rng.getrandbits(96):024x}"
    status = "REJECTED" if accuracy[worker] < 0.6 and n % 3 == 0 else ("SUBMITTED" if n % 5 == 4 else "APPROVED")
    minute += rng.randint(1, 9)
    started = f"2024-02-04T{10 + minute // 60:02d}:{minute % 60:02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}"
    for url in suite + [golden_url]:
        is_gold = url == golden_url
        if not is_gold:
            done[url].add(worker)
        rows.append([url, answer(worker, truth[url]), truth[url] if is_gold else "", "", "",
                     f"https://platform.toloka.ai/task/{POOL}/{assignment}", task_ids[url], assignment,
                     worker, status, started])

with open("datasets/toloka-audio-gender/export.tsv", "w") as f:
    f.write("\t".join(header) + "\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
with open("datasets/toloka-audio-gender/truth.tsv", "w") as f:
    f.write("task\tlabel\n")
    for url, label in real + gold:
        f.write(f"{url}\t{label}\n")
