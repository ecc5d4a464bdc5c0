#!/usr/bin/env python3
"""Writes the small Arrow files in Tests/ArrowFixtures that TallyCoreTests/ArrowTests read, with
pyarrow 26.0.1 and polars 2.1.0 (the venv of scripts/setup-arrow-venv.sh):
  ../.venv-arrow/bin/python scripts/arrow_fixtures.py
Every file holds the same six answers (ANSWERS below) unless its name says otherwise."""
import os

import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "ArrowFixtures")
os.makedirs(OUT, exist_ok=True)
ANSWERS = [("t1", "w1", "1"), ("t2", "w1", "0"), ("t1", "w2", "1"), ("t3", "w2", "2"), ("t2", "w3", "0"), ("t3", "w1", "2")]
cols = {c: [r[i] for r in ANSWERS] for i, c in enumerate(("task", "worker", "label"))}
strings = pa.table(cols)


def path(name):
    return os.path.join(OUT, name)


# Dictionary-encoded, two record batches, via the IPC file writer.
feather.write_feather(pa.table({c: strings.column(c).dictionary_encode() for c in cols}), path("pyarrow-dictionary.arrow"),
                      compression="uncompressed", chunksize=4)
# Plain utf8 columns, int64 labels, an extra float column first, three batches.
feather.write_feather(pa.table({"score": [0.5] * 6, "task": cols["task"], "worker": cols["worker"],
                                "label": pa.array([int(v) for v in cols["label"]], pa.int64())}),
                      path("pyarrow-int-labels.arrow"), compression="uncompressed", chunksize=2)
# A dictionary not in first-appearance order (sorted, descending), int8 indices.
def reversed_dict(values):
    d = sorted(set(values), reverse=True)
    return pa.DictionaryArray.from_arrays(pa.array([d.index(v) for v in values], pa.int8()), pa.array(d))
with ipc.new_file(path("pyarrow-reversed-dictionary.arrow"), pa.table({c: reversed_dict(v) for c, v in cols.items()}).schema) as w:
    w.write_table(pa.table({c: reversed_dict(v) for c, v in cols.items()}))
# An IPC stream, string views.
with ipc.new_stream(path("pyarrow-view.arrows"), strings.cast(pa.schema([(c, pa.string_view()) for c in cols])).schema) as w:
    w.write_table(strings.cast(pa.schema([(c, pa.string_view()) for c in cols])), max_chunksize=3)
# polars' defaults: string views; and categoricals.
pl.from_arrow(strings).write_ipc(path("polars-default.arrow"))
pl.from_arrow(strings).with_columns(pl.all().cast(pl.Categorical)).write_ipc(path("polars-categorical.arrow"))
# Refused: a null worker at row 4, LZ4 and ZSTD bodies.
nulls = pa.table({"task": cols["task"], "worker": cols["worker"][:4] + [None] + cols["worker"][5:], "label": cols["label"]})
feather.write_feather(nulls, path("null-worker-row-4.arrow"), compression="uncompressed")
feather.write_feather(strings, path("lz4.arrow"), compression="lz4")
feather.write_feather(strings, path("zstd.arrow"), compression="zstd")
print("wrote", sorted(os.listdir(OUT)))
