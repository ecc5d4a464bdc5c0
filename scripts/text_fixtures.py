"""Transcription (ROVER, word error rate) and multi-label (BinaryRelevance) fixtures from crowd-kit 1.4.2.

Run with the pinned reference stack (../shared/tools/reference-requirements.txt: crowd-kit 1.4.2,
numpy 1.26.4, pandas 2.3.3, scikit-learn 1.5.2), from the repository root:

    python scripts/text_fixtures.py CROWDKIT_CONFTEST [OUT_DIR]

CROWDKIT_CONFTEST is crowd-kit's tests/conftest.py (from a checkout of github.com/Toloka/crowd-kit):
its `simple_text_df` fixture (CrowdSpeech transcriptions) is read from it with `ast`, nothing else.
Word error rates need jiwer (PyPI, tested with 4.0.0: `pip install jiwer`); without it they are
skipped. Writes into OUT_DIR (default Tests/TallyAggregationTests/Fixtures/text/):

  rover-<set>.json   {"answers": [[task, worker, text], ...], "gold": {task: text} (generated sets),
                      "outputs": {"<tokenizer>": {task: ROVER text}}}
     sets: toy (crowd-kit's test_rover_aggregation data), simple (crowd-kit's simple_text_df),
     gen (500 generated tasks: substitutions, deletions, insertions, 2- and 4-worker ties, a few
     empty, double-spaced and Unicode texts), chars (60 generated tasks, character tokenizer).
     Tokenizers: space = s.split(" ") with " ".join; whitespace = s.split() with " ".join;
     character = list(s) with "".join.
  wer.json           jiwer on (gold, ROVER whitespace output) of the gen set: per task
                      {task: [wer, S, D, I, reference words]} and the corpus wer of all tasks;
                      "pairs": 2,000 random [reference, hypothesis, S, D, I] over small vocabularies
                      (up to 150 words, so rapidfuzz's multi-word-block path too).
  multilabel-<set>.json  {"answers": [[task, worker, [labels]], ...],
                      "outputs": {"mv"|"ds"|"glad": {task: [labels]}}}
     BinaryRelevance(MajorityVote()), BinaryRelevance(DawidSkene(n_iter=100)), BinaryRelevance(GLAD());
     sets: toy (crowd-kit's test data), gen (300 generated tasks, 7 tags, 2 to 5 workers, ties).
"""

import ast
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
from crowdkit.aggregation import GLAD, ROVER, BinaryRelevance, DawidSkene, MajorityVote

warnings.filterwarnings("ignore")

TOKENIZERS = {
    "space": (lambda s: s.split(" "), lambda t: " ".join(t)),
    "whitespace": (lambda s: s.split(), lambda t: " ".join(t)),
    "character": (lambda s: list(s), lambda t: "".join(t)),
}


def simple_text_df(conftest):
    tree = ast.parse(open(conftest).read())
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "simple_text_df")
    fn.decorator_list = []
    fn.returns = None
    scope = {"pd": pd, "np": np}
    exec(compile(ast.Module(body=[fn], type_ignores=[]), conftest, "exec"), scope)
    df = scope["simple_text_df"]()
    return df.rename(columns={"output": "text"})[["task", "worker", "text"]]


WORDS = ("the a of and to in is was he it that for on with as his her at by had not be but from "
         "this which have or one you were all they she there an so we him been their when who would "
         "will my more no if out up said what its about than into them can only other new some could "
         "time these two may then do first any like now my such our over man me even most made after "
         "also did many before must through back years where much your way well down should because "
         "each just those people mr how too little state good very make world still own see men work "
         "long get here between both life being under never day same another know while last might us "
         "great old year off come since against go came right used take three café naïve résumé "
         "страна город über straße 東京 日本 cat cot cut bat bet bit").split()


def generate_texts(seed, n_tasks):
    rng = np.random.default_rng(seed)
    rows, gold = [], {}
    for t in range(n_tasks):
        task = f"utt{t:04d}"
        truth = [WORDS[i] for i in rng.integers(len(WORDS), size=int(rng.integers(3, 16)))]
        gold[task] = " ".join(truth)
        kind = rng.random()
        workers = 2 if kind < 0.1 else 4 if kind < 0.2 else int(rng.integers(3, 8))
        for w in rng.choice(60, size=workers, replace=False):
            noise = rng.uniform(0.02, 0.3)
            words = []
            for word in truth:
                r = rng.random()
                if r < noise / 3:
                    continue  # deletion
                if r < 2 * noise / 3:
                    word = WORDS[int(rng.integers(len(WORDS)))]  # substitution
                words.append(word)
                if rng.random() < noise / 3:
                    words.append(WORDS[int(rng.integers(len(WORDS)))])  # insertion
            text = " ".join(words)
            r = rng.random()
            if r < 0.02:
                text = ""
            elif r < 0.05:
                text = text.replace(" ", "  ", 1) + " "
            elif r < 0.07:
                text = " " + text.replace(" ", "\t", 1)
            rows.append([task, f"w{w}", text])
    order = rng.permutation(len(rows))
    return pd.DataFrame([rows[i] for i in order], columns=["task", "worker", "text"]), gold


def rover_outputs(df, tokenizers):
    out = {}
    for name in tokenizers:
        tok, detok = TOKENIZERS[name]
        out[name] = {str(k): v for k, v in ROVER(tok, detok).fit_predict(df).items()}
    return out


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        f.write("\n")


def rover_fixture(out, name, df, tokenizers, gold=None):
    obj = {"answers": df.values.tolist(), "outputs": rover_outputs(df, tokenizers)}
    if gold is not None:
        obj["gold"] = gold
    write(os.path.join(out, f"rover-{name}.json"), obj)
    return obj


def generate_multilabel(seed, n_tasks, tags):
    rng = np.random.default_rng(seed)
    skill = rng.uniform(0.55, 0.95, size=40)
    rows = []
    for t in range(n_tasks):
        truth = set(x for x in tags if rng.random() < 0.3)
        kind = rng.random()
        workers = 2 if kind < 0.15 else 4 if kind < 0.3 else int(rng.integers(3, 6))
        for w in rng.choice(40, size=workers, replace=False):
            chosen = [x for x in tags if (x in truth) == (rng.random() < skill[w])]
            if not chosen:
                chosen = [tags[int(rng.integers(len(tags)))]]
            rows.append([f"t{t}", f"w{w}", chosen])
    order = rng.permutation(len(rows))
    return pd.DataFrame([rows[i] for i in order], columns=["task", "worker", "label"])


def multilabel_fixture(out, name, df):
    outputs = {}
    for method, agg in [("mv", MajorityVote()), ("ds", DawidSkene(n_iter=100)), ("glad", GLAD())]:
        result = BinaryRelevance(agg).fit_predict(df)
        outputs[method] = {str(k): [str(x) for x in v] for k, v in result.items()}
    write(os.path.join(out, f"multilabel-{name}.json"), {"answers": df.values.tolist(), "outputs": outputs})


def main():
    conftest = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "Tests/TallyAggregationTests/Fixtures/text"
    os.makedirs(out, exist_ok=True)
    all3 = ["space", "whitespace"]
    toy = pd.DataFrame([["w1", "t1", "a b c d"], ["w2", "t1", "b z d e"], ["w3", "t1", "b c d e f"]],
                       columns=["worker", "task", "text"])[["task", "worker", "text"]]
    rover_fixture(out, "toy", toy, all3)
    rover_fixture(out, "simple", simple_text_df(conftest), all3)
    gen, gold = generate_texts(151, 500)
    obj = rover_fixture(out, "gen", gen, all3, gold)
    chars, chars_gold = generate_texts(152, 60)
    rover_fixture(out, "chars", chars, ["character"], chars_gold)

    try:
        import jiwer
    except ImportError:
        print("jiwer not installed: wer.json not written", file=sys.stderr)
    else:
        hyp = obj["outputs"]["whitespace"]
        tasks = sorted(gold)
        per_task = {}
        for t in tasks:
            o = jiwer.process_words(gold[t], hyp[t])
            per_task[t] = [o.wer, o.substitutions, o.deletions, o.insertions, o.substitutions + o.deletions + o.hits]
        corpus = jiwer.process_words([gold[t] for t in tasks], [hyp[t] for t in tasks])
        rng = np.random.default_rng(154)
        pairs = []
        for vocabulary, longest in [("a b".split(), 12), ("a b c d e".split(), 12), ([str(i) for i in range(30)], 12), ("a b c".split(), 150)]:
            for _ in range(500):
                ref = " ".join(rng.choice(vocabulary, size=int(rng.integers(1, longest + 1))))
                hyp_text = " ".join(rng.choice(vocabulary, size=int(rng.integers(0, longest + 1))))
                o = jiwer.process_words(ref, hyp_text)
                pairs.append([ref, hyp_text, o.substitutions, o.deletions, o.insertions])
        write(os.path.join(out, "wer.json"), {"jiwer": jiwer.__version__ if hasattr(jiwer, "__version__") else "?",
                                              "tasks": per_task, "wer": corpus.wer,
                                              "counts": [corpus.substitutions, corpus.deletions, corpus.insertions, corpus.hits],
                                              "pairs": pairs})

    ml_toy = pd.DataFrame([["t1", "w1", ["house", "tree"]], ["t1", "w2", ["house"]], ["t1", "w3", ["house", "tree", "grass"]],
                           ["t2", "w1", ["car"]], ["t2", "w2", ["car", "human"]], ["t2", "w3", ["train"]]],
                          columns=["task", "worker", "label"])
    multilabel_fixture(out, "toy", ml_toy)
    multilabel_fixture(out, "gen", generate_multilabel(153, 300, ["animal", "building", "car", "person", "sky", "tree", "water"]))


if __name__ == "__main__":
    main()
