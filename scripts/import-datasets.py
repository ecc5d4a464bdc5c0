#!/usr/bin/env python3
"""Copies the real crowdsourcing data sets into datasets/real/, gzip-compressed, with provenance.

    scripts/import-datasets.py [--from ../shared/datasets] [--to datasets/real]

For every data set folder of the source (answers.tsv, gold.tsv, README.md) whose licence allows
redistribution (the LICENCES table below, one verdict per set, with the reason), it writes
`<name>/answers.tsv.gz` and `<name>/gold.tsv.gz` (gzip -9, no name or time stamp in the header, so
the bytes depend only on the data), the source's README.md with a "Redistribution in Tally"
section appended, and `catalog.tsv` (name, included, licence, source, citation) that
`tally datasets` reads. Sets whose licence does not allow redistribution are listed in
catalog.tsv with `included` = no and are not copied. Standard library only.
"""
import argparse
import gzip
import os
import re
import sys

APACHE_ACT = ("yes", "Apache-2.0 (LICENSE of orchidproject/active-crowd-toolkit, which distributes the data)",
              "orchidproject/active-crowd-toolkit")
GAL = ("yes", "Apache-2.0 (LICENSE-2.0.html of ipeirotis/Get-Another-Label, where the data were released)",
       "ipeirotis/Get-Another-Label")
SNOW = ("yes", "MIT (LICENSE of edwinrobots/bayesian_combination_tutorial2, which distributes Brendan "
        "O'Connor's 2019 re-assembly of the Snow et al. release); a redistributor's licence: the original "
        "release states no terms", "edwinrobots/bayesian_combination_tutorial2")
NONE_VLDB = ("no", "none found: no licence in maifulmax/TIN-model or zhydhkcws/crowd_truth_infer, no terms on the data",
             "")
NONE_VLDB_ONLY = ("no", "none found: no licence in zhydhkcws/crowd_truth_infer, no terms on the data", "")
NONE_SPECTRAL = ("no", "none found: no licence in zhangyuc/SpectralMethodsMeetEM, no terms on the data", "")

# name -> (included, licence, what the verdict rests on)
LICENCES = {
    "act-cf": APACHE_ACT, "act-cf-amt": APACHE_ACT, "act-ms": APACHE_ACT, "act-sp": APACHE_ACT,
    "act-sp-amt": APACHE_ACT, "act-zc-all": APACHE_ACT, "act-zc-in": APACHE_ACT, "act-zc-us": APACHE_ACT,
    "bluebirds": ("yes", "Clear BSD (LICENSE.TXT of welinder/cubam, (c) 2011-2012 Peter Welinder, Caltech: the "
                  "collectors' own licence, covering the demo data)", "welinder/cubam"),
    "gal-bm": GAL, "gal-hitspam-cf": GAL,
    "vldb-adult": ("yes", "Apache-2.0 (Get-Another-Label data/AdultContent2, the data's first release; the copy "
                   "taken, maifulmax/TIN-model, has no licence and equals it after G/P/R/X -> 0/1/2/3)",
                   "ipeirotis/Get-Another-Label"),
    "crowdscale-fact": ("yes", "MIT (LICENSE of yuan-li/truth-inference-at-scale, (c) 2019 Yuan Li, who prepared "
                        "this integer-coded copy); a redistributor's licence: the CrowdScale 2013 release terms "
                        "were not found", "yuan-li/truth-inference-at-scale"),
    "snow-rte": SNOW, "snow-temp": SNOW, "snow-wsd": SNOW,
    "spectral-trec": NONE_SPECTRAL, "zhou-web": NONE_SPECTRAL,
    "vldb-product": NONE_VLDB_ONLY, "vldb-dog": NONE_VLDB_ONLY, "vldb-face": NONE_VLDB_ONLY,
    "vldb-emotion": NONE_VLDB_ONLY, "vldb-possent": NONE_VLDB, "vldb-rel": NONE_VLDB,
}


ACT = "Venanzi, Parson, Rogers, Jennings. The ActiveCrowdToolkit. HCOMP 2015"
SNOW_CITE = "Snow, O'Connor, Jurafsky, Ng. Cheap and Fast - But is it Good? EMNLP 2008"
VLDB = "Zheng, Li, Li, Shan, Cheng. Truth Inference in Crowdsourcing: Is the Problem Solved? PVLDB 10(5), 2017"
# name -> the works to cite (short form; the full references are in the set's README.md)
CITATIONS = {
    "act-cf": "Venanzi et al. Community-based Bayesian Aggregation Models for Crowdsourcing. WWW 2014; " + ACT,
    "act-cf-amt": ACT,
    "act-ms": "Rodrigues, Pereira, Ribeiro. Learning from multiple annotators. Pattern Recognition Letters 34(12), 2013; " + ACT,
    "act-sp": "Rodrigues, Pereira, Ribeiro. Learning from multiple annotators. Pattern Recognition Letters 2013; " + ACT,
    "act-sp-amt": ACT,
    "act-zc-all": "Demartini, Difallah, Cudre-Mauroux. ZenCrowd. WWW 2012; " + ACT,
    "act-zc-in": "Demartini, Difallah, Cudre-Mauroux. ZenCrowd. WWW 2012; " + ACT,
    "act-zc-us": "Demartini, Difallah, Cudre-Mauroux. ZenCrowd. WWW 2012; " + ACT,
    "bluebirds": "Welinder, Branson, Belongie, Perona. The Multidimensional Wisdom of Crowds. NIPS 2010",
    "crowdscale-fact": "CrowdScale 2013 shared task (Google fact evaluation); Li, Rubinstein, Cohn. EBCC, ICML 2019",
    "gal-bm": "Mozafari et al. PVLDB 8(2), 2014; Sheshadri, Lease. SQUARE. HCOMP 2013",
    "gal-hitspam-cf": "Ipeirotis, Get-Another-Label (github.com/ipeirotis/Get-Another-Label)",
    "snow-rte": SNOW_CITE, "snow-temp": SNOW_CITE, "snow-wsd": SNOW_CITE,
    "spectral-trec": "Buckley, Lease, Smucker. TREC 2010 Relevance Feedback Track; Zhang, Chen, Zhou, Jordan. Spectral Methods meet EM. NIPS 2014",
    "vldb-adult": "Ipeirotis, Provost, Wang. Quality Management on Amazon Mechanical Turk. HCOMP 2010; " + VLDB,
    "vldb-dog": VLDB, "vldb-emotion": SNOW_CITE + "; " + VLDB, "vldb-face": VLDB,
    "vldb-possent": VLDB, "vldb-product": VLDB,
    "vldb-rel": "Buckley, Lease, Smucker. TREC 2010 Relevance Feedback Track; " + VLDB,
    "zhou-web": "Zhou, Platt, Basu, Mao. Learning from the Wisdom of Crowds by Minimax Entropy. NIPS 2012",
}


def first_line_title(readme):
    line = readme.splitlines()[0].lstrip("# ").strip()
    return line


def section(readme, title):
    m = re.search(r"^## " + re.escape(title) + r"\n(.*?)(?=^## |\Z)", readme, re.S | re.M)
    return m.group(1).strip() if m else ""


def source_of(readme):
    origin = section(readme, "Origin")
    m = re.search(r"Copied from: GitHub `([^`]+)`, (?:branch `[^`]+`\), )?commit ([0-9a-f]+)", origin)
    if not m:
        m = re.search(r"GitHub `([^`]+)`.*?commit ([0-9a-f]+)", origin)
    return f"github.com/{m.group(1)}@{m.group(2)}" if m else ""


def gzip_file(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as z:
            z.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--from", dest="src", default=os.path.join(os.path.dirname(repo), "shared", "datasets"))
    ap.add_argument("--to", dest="dst", default=os.path.join(repo, "datasets", "real"))
    args = ap.parse_args()
    names = sorted(d for d in os.listdir(args.src) if os.path.isfile(os.path.join(args.src, d, "answers.tsv")))
    unknown = [n for n in names if n not in LICENCES]
    if unknown:
        sys.exit(f"import-datasets: no licence verdict for {', '.join(unknown)}; add them to LICENCES")
    os.makedirs(args.dst, exist_ok=True)
    rows = ["name\tincluded\tlicence\tsource\tcitation\ttitle"]
    for name in names:
        included, licence, _ = LICENCES[name]
        with open(os.path.join(args.src, name, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        rows.append("\t".join([name, included, licence, source_of(readme), CITATIONS[name], first_line_title(readme)]))
        out = os.path.join(args.dst, name)
        if included != "yes":
            continue
        os.makedirs(out, exist_ok=True)
        for base in ("answers.tsv", "gold.tsv"):
            gzip_file(os.path.join(args.src, name, base), os.path.join(out, base + ".gz"))
        note = (
            "\n\n## Redistribution in Tally\n\n"
            f"Licence: {licence}. The files here are the converted `answers.tsv` and `gold.tsv`, gzip-compressed "
            "(`scripts/import-datasets.py`); Tally's readers open `.gz` directly. Cite the works named under "
            "Origin when you use this data set.\n"
        )
        # The converted folder's README points at a research note that is not in this repository.
        readme = readme.replace("See `research/published-accuracy.md` for published numbers.",
                                "Published numbers: `datasets/published-accuracy.tsv`.")
        with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as f:
            f.write(readme.rstrip("\n") + note)
    with open(os.path.join(args.dst, "catalog.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    kept = sum(1 for n in names if LICENCES[n][0] == "yes")
    print(f"import-datasets: {kept} of {len(names)} data sets written to {args.dst}; "
          f"left out (no licence allows redistribution): {', '.join(n for n in names if LICENCES[n][0] != 'yes')}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
