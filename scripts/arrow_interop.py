#!/usr/bin/env python3
"""Arrow interoperability of Tally's .arrow files, with pyarrow 26 and polars as the oracles.

Run by scripts/test-arrow.sh (which makes the cached venv ../.venv-arrow); needs a built `tally`:
  arrow_interop.py TALLY_BINARY WORKDIR

1. Tally writes, pyarrow and polars read: `tally convert` of the toy set and two real sets (their
   first 40,000 answers; in
   record batches of 10,000 rows, so several) is read by pyarrow (full validation) and polars;
   the rows equal the TSV's, task/worker are dictionary<int32, utf8>, label int64 when numeric.
2. pyarrow and polars write, Tally reads: for each variant below, `tally convert X back.tsv`
   gives the TSV's rows in order, and `tally aggregate X --method ds` the same labels file, byte
   for byte, as from the TSV.
3. What Tally refuses, with exit 65 and a message naming it: LZ4 and ZSTD compressed files, a
   null task (naming the row), a file without a label column.
"""
import gzip
import os
import subprocess
import sys

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.ipc as ipc

TALLY, WORK = sys.argv[1], sys.argv[2]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.makedirs(WORK, exist_ok=True)
checks = 0


def run(*args, expect=0):
    p = subprocess.run([TALLY, *args], capture_output=True, text=True)
    if p.returncode != expect:
        sys.exit(f"FAIL: tally {' '.join(args)} exited {p.returncode} (expected {expect}):\n{p.stderr}")
    return p


def check(ok, what):
    global checks
    if not ok:
        sys.exit(f"FAIL: {what}")
    checks += 1


def tsv_rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="\n") as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    idx = [header.index(c) for c in ("task", "worker", "label")]
    return [tuple(line.split("\t")[i] for i in idx) for line in lines[1:] if line]


def as_rows(table):
    cols = [table.column(c).to_pylist() for c in ("task", "worker", "label")]
    return [tuple(str(v) for v in r) for r in zip(*cols)]


sets = {
    "toy": f"{REPO}/datasets/toy/answers.tsv",
    "vldb-adult": f"{REPO}/datasets/real/vldb-adult/answers.tsv.gz",      # string tasks/workers, integer labels
    "crowdscale-fact": f"{REPO}/datasets/real/crowdscale-fact/answers.tsv.gz",  # everything integer-coded
}

for name, src in sets.items():
    rows = tsv_rows(src)[:40000]  # the first 40,000 answers: enough for several batches, quick under load
    plain = f"{WORK}/{name}.tsv"
    with open(plain, "w", encoding="utf-8") as f:
        f.write("task\tworker\tlabel\n" + "".join("\t".join(r) + "\n" for r in rows))
    labels_tsv = f"{WORK}/{name}.labels.tsv"
    run("aggregate", plain, "--method", "ds", "--out", labels_tsv, "-q")
    expected_labels = open(labels_tsv, "rb").read()

    # 1. Tally writes; pyarrow and polars read.
    mine = f"{WORK}/{name}.tally.arrow"
    run("convert", plain, mine, "--rows-per-batch", "10000", "-q")
    reader = ipc.open_file(mine)
    check(reader.num_record_batches == (len(rows) + 9999) // 10000, f"{name}: record batches")
    t = reader.read_all()
    t.validate(full=True)
    check(pa.types.is_dictionary(t.schema.field("task").type) and t.schema.field("task").type.index_type == pa.int32()
          and t.schema.field("task").type.value_type == pa.string(), f"{name}: task is dictionary<int32, utf8>: {t.schema}")
    numeric = all(r[2].lstrip("-").isdigit() for r in rows)
    check((t.schema.field("label").type == pa.int64()) == numeric, f"{name}: label type {t.schema.field('label').type}")
    # `tally convert` groups the rows by task (tasks in first-appearance order, each task's rows in
    # input order) and says so in the schema metadata; --row-order input keeps the input's order.
    first = {}
    for r in rows:
        first.setdefault(r[0], len(first))
    grouped = sorted(rows, key=lambda r: first[r[0]])  # stable: each task's rows stay in order
    check((t.schema.metadata or {}).get(b"tally.row_order") == b"task-grouped-v1", f"{name}: row-order metadata {t.schema.metadata}")
    check(as_rows(t) == grouped, f"{name}: pyarrow reads Tally's rows, grouped by task")
    check(as_rows(feather.read_table(mine)) == grouped, f"{name}: feather.read_table reads Tally's rows")
    check(as_rows(pl.read_ipc(mine).to_arrow()) == grouped, f"{name}: polars reads Tally's rows")
    check(t.column("task").chunk(0).dictionary.to_pylist()[:5] == list(first)[:5], f"{name}: task dictionary in first-appearance order")
    in_order = f"{WORK}/{name}.tally-input.arrow"
    run("convert", plain, in_order, "--row-order", "input", "-q")
    t_in = feather.read_table(in_order)
    check(as_rows(t_in) == rows and not (t_in.schema.metadata or {}).get(b"tally.row_order"), f"{name}: --row-order input keeps the rows")

    # 2. pyarrow and polars write; Tally reads.
    strings = pa.table({c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(("task", "worker", "label"))})
    extra = strings.append_column("score", pa.array([float(i) for i in range(len(rows))]))
    extra = extra.append_column("note", pa.array([["x"] * (i % 3) for i in range(len(rows))], pa.list_(pa.string())))
    variants = {
        "pa-dict.arrow": lambda p: feather.write_feather(
            pa.table({c: strings.column(c).dictionary_encode() for c in strings.column_names}), p, compression="uncompressed", chunksize=7000),
        "pa-utf8.feather": lambda p: feather.write_feather(strings, p, compression="uncompressed", chunksize=5000),
        "pa-large.arrow": lambda p: feather.write_feather(strings.cast(pa.schema([(c, pa.large_string()) for c in strings.column_names])), p, compression="uncompressed"),
        "pa-view.arrow": lambda p: feather.write_feather(strings.cast(pa.schema([(c, pa.string_view()) for c in strings.column_names])), p, compression="uncompressed", chunksize=6000),
        "pa-extra-columns.arrow": lambda p: feather.write_feather(extra.select(["score", "note", "label", "worker", "task"]), p, compression="uncompressed", chunksize=9000),
        "pa-stream.arrows": lambda p: ipc.new_stream(p, strings.schema).write_table(strings, max_chunksize=8000) or None,
        "pl-default.arrow": lambda p: pl.from_arrow(strings).write_ipc(p),
        "pl-categorical.arrow": lambda p: pl.from_arrow(strings).with_columns(pl.all().cast(pl.Categorical)).write_ipc(p),
        "pl-oldest.arrow": lambda p: pl.from_arrow(strings).write_ipc(p, compat_level=pl.CompatLevel.oldest()),
    }
    if numeric:
        variants["pa-int-label.arrow"] = lambda p: feather.write_feather(
            strings.set_column(2, "label", pa.array([int(r[2]) for r in rows], pa.int64())), p, compression="uncompressed", chunksize=4000)
        variants["pl-int-label.arrow"] = lambda p: pl.from_arrow(strings).with_columns(pl.col("label").cast(pl.Int32)).write_ipc(p)
    if name == "crowdscale-fact":
        variants["pa-all-int.arrow"] = lambda p: feather.write_feather(
            pa.table({c: pa.array([int(r[i]) for r in rows], pa.int64()) for i, c in enumerate(("task", "worker", "label"))}), p, compression="uncompressed")
    # A dictionary in an order other than first appearance (sorted), int16 indices.
    def sorted_dict(p):
        cols = {}
        for c in strings.column_names:
            values = sorted(set(strings.column(c).to_pylist()))
            pos = {v: i for i, v in enumerate(values)}
            idx = pa.array([pos[v] for v in strings.column(c).to_pylist()], pa.int32() if len(values) > 30000 else pa.int16())
            cols[c] = pa.DictionaryArray.from_arrays(idx, pa.array(values, pa.string()))
        with ipc.new_file(p, pa.table(cols).schema) as w:
            w.write_table(pa.table(cols), max_chunksize=10000)
    variants["pa-sorted-dict.arrow"] = sorted_dict

    for vname, write in variants.items():
        path = f"{WORK}/{name}.{vname}"
        write(path)
        back = f"{WORK}/{name}.{vname}.tsv"
        run("convert", path, back, "-q")
        check(tsv_rows(back) == rows, f"{name} {vname}: Tally reads the TSV's rows in order")
        out = f"{WORK}/{name}.{vname}.labels.tsv"
        run("aggregate", path, "--method", "ds", "--out", out, "-q")
        check(open(out, "rb").read() == expected_labels, f"{name} {vname}: ds labels identical to the TSV's")
        os.remove(path)
    check(open(f"{WORK}/{name}.pa-dict.arrow.labels.tsv", "rb").read() == expected_labels, "labels kept")
    # Tally's own file gives the TSV's labels too.
    out = f"{WORK}/{name}.tally.labels.tsv"
    run("aggregate", mine, "--method", "ds", "--out", out, "-q")
    check(open(out, "rb").read() == expected_labels, f"{name}: ds labels from Tally's .arrow identical to the TSV's")
    run("aggregate", in_order, "--method", "ds", "--out", out, "-q")
    check(open(out, "rb").read() == expected_labels, f"{name}: ds labels from Tally's input-order .arrow identical to the TSV's")
    print(f"arrow-interop: {name}: {len(rows)} answers, {len(variants)} pyarrow/polars variants read, Tally's file read by pyarrow and polars")

# 3. Refusals.
toy = pa.table({"task": ["t1", "t2", None], "worker": ["w1", "w1", "w2"], "label": ["a", "b", "a"]})
feather.write_feather(toy, f"{WORK}/null.arrow", compression="uncompressed")
p = run("aggregate", f"{WORK}/null.arrow", "--method", "mv", expect=65)
check("null at row 2" in p.stderr and "'task'" in p.stderr, f"null named: {p.stderr}")
full = pa.table({"task": ["t1", "t2"], "worker": ["w1", "w1"], "label": ["a", "b"]})
for codec, word in (("lz4", "LZ4"), ("zstd", "ZSTD")):
    feather.write_feather(full, f"{WORK}/{codec}.arrow", compression=codec)
    p = run("aggregate", f"{WORK}/{codec}.arrow", "--method", "mv", expect=65)
    check(word in p.stderr and "uncompressed" in p.stderr, f"{codec} named: {p.stderr}")
feather.write_feather(full.drop_columns(["label"]), f"{WORK}/nolabel.arrow", compression="uncompressed")
p = run("aggregate", f"{WORK}/nolabel.arrow", "--method", "mv", expect=65)
check("'label'" in p.stderr, f"missing column named: {p.stderr}")
print(f"arrow-interop: PASS ({checks} checks)")
