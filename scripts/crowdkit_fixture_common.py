"""What the crowd-kit fixture scripts share: reading the data sets and writing the fixture files.

Used by scripts/crowdkit_fixtures.py, crowdkit_fixtures_ds.py, crowdkit_fixtures_more.py,
crowdkit_fixtures_mace_compat.py and crowdkit_fixtures_mace_sorted.py, so that every fixture set
reads the data identically and writes the same text:

  reading  answers.tsv / gold.tsv (or their .gz, as in datasets/real) as strings; answer labels become int64 iff every label is a
           canonical integer, and gold is converted the same way
  writing  tab-separated, "\\n" line ends, floats in the given format (the scripts default to
           "%.17g"), NaN as "nan", labels in their input spelling; gzip level 9 with mtime 0, so
           the same table gives the same bytes

Only pandas and numpy are needed here; each script imports crowd-kit itself.
"""

import gzip
import io
import math
import os

import numpy as np
import pandas as pd

SKIP = {"vldb-emotion"}  # numeric labels, not a categorical benchmark
DEFAULT_TOY = "Tests/TallyAggregationTests/Fixtures/crowdkit/toy"


# Reading

def is_int_label(x):
    return x.lstrip("-").isdigit() and str(int(x)) == x


def read_tsv(path):
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)


def existing(folder, name):
    """folder/name, or folder/name.gz when only the compressed file is there (datasets/real)."""
    path = os.path.join(folder, name)
    return path if os.path.isfile(path) or not os.path.isfile(path + ".gz") else path + ".gz"


def read_dataset(folder):
    """(answers as task, worker, label; gold labels by task; whether labels were converted to int64)."""
    df = read_tsv(existing(folder, "answers.tsv"))
    missing = {"task", "worker", "label"} - set(df.columns)
    if missing:
        raise SystemExit(f"{folder}/answers.tsv lacks columns {sorted(missing)}")
    df = df[["task", "worker", "label"]]
    converted = bool(len(df)) and bool(df["label"].map(is_int_label).all())
    if converted:
        df["label"] = df["label"].astype("int64")
    g = read_tsv(existing(folder, "gold.tsv"))
    if g["task"].duplicated().any():
        raise SystemExit(f"{folder}/gold.tsv has duplicate tasks")
    gold = g.set_index("task")["label"]
    if converted:
        bad = ~gold.map(is_int_label)
        if bad.any():
            raise SystemExit(f"{folder}: answer labels are integers but gold has {list(gold[bad][:5])}")
        gold = gold.astype("int64")
    return df, gold, converted


def dataset_folders(datasets, toy=None, only=None):
    """(name, folder) of every sub-folder of `datasets` with answers.tsv and gold.tsv, by name,
    except SKIP; then ("toy", `toy`) when given; with `only` (comma-separated names), just those."""
    names = sorted(
        d for d in os.listdir(datasets)
        if d not in SKIP
        and os.path.isfile(existing(os.path.join(datasets, d), "answers.tsv"))
        and os.path.isfile(existing(os.path.join(datasets, d), "gold.tsv"))
    )
    folders = [(n, os.path.join(datasets, n)) for n in names]
    if toy is not None:
        folders.append(("toy", toy))
    if only:
        keep = set(only.split(","))
        folders = [f for f in folders if f[0] in keep]
    return folders


# Writing

def fmt_label(v, int_labels):
    """A label as text: the input spelling (ints without '.0'), NaN as 'nan'."""
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if int_labels:
        return str(int(v))
    return str(v)


def to_tsv(frame, ff):
    """A frame as tab-separated text without its index."""
    buf = io.StringIO()
    frame.to_csv(buf, sep="\t", index=False, float_format=ff, na_rep="nan", lineterminator="\n")
    return buf.getvalue()


def gz_write(path, text):
    """Writes `text` gzipped, the same bytes for the same text; returns the compressed size."""
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def labels_frame(labels, int_labels):
    """labels_ (a series by task) as task, label."""
    return pd.DataFrame({"task": [str(t) for t in labels.index],
                         "label": [fmt_label(v, int_labels) for v in labels.values]})


def table_frame(p, int_labels):
    """probas_ or scores_ (tasks x labels) as task, <label>..."""
    p = p.copy()
    p.columns = [fmt_label(c, int_labels) for c in p.columns]
    p.index = pd.Index([str(t) for t in p.index], name="task")
    return p.reset_index()


def spamming_frame(spamming, worker_names):
    """MACE's spamming_ (a row per worker: p0 = "spams", p1 = "knows") as worker, p0, p1."""
    sp = np.asarray(spamming, dtype=float)
    return pd.DataFrame({"worker": [str(w) for w in worker_names], "p0": sp[:, 0], "p1": sp[:, 1]})


def remove_outputs(folder, tag, exts):
    """Removes <tag>.<ext>.tsv.gz for every ext, so that a failed run leaves no stale files."""
    for ext in exts:
        path = os.path.join(folder, f"{tag}.{ext}.tsv.gz")
        if os.path.exists(path):
            os.remove(path)


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


# Manifests

def accuracy(labels, gold):
    """labels_ against gold, both as strings, over the gold tasks (NaN when none is labelled)."""
    common = gold.index.intersection(labels.index)
    if not len(common):
        return float("nan")
    return float((labels.loc[common].astype(str).values == gold.loc[common].astype(str).values).mean())


def clean(msg):
    """A message for one manifest cell: no tabs or newlines."""
    return str(msg).replace("\t", " ").replace("\n", " ")


def warning_kinds(caught):
    """The distinct warnings a run raised, as "Category: message" (80 characters), leaving out
    pandas' SettingWithCopyWarning and future/deprecation notices."""
    return sorted({f"{w.category.__name__}: {str(w.message)[:80]}" for w in caught
                   if not issubclass(w.category, (pd.errors.SettingWithCopyWarning, FutureWarning,
                                                  DeprecationWarning))})


def versions(ff, *, scipy_sklearn=False):
    """The manifest's first line up to the float format: the library versions."""
    import crowdkit
    line = f"# crowd-kit {crowdkit.__version__}; pandas {pd.__version__}; numpy {np.__version__}; "
    if scipy_sklearn:
        import scipy
        import sklearn
        line += f"scipy {scipy.__version__}; scikit-learn {sklearn.__version__}; "
    return line + f"float_format {ff}"
