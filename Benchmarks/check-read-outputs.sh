#!/usr/bin/env bash
# Outputs of two tally binaries compared byte for byte (labels and probabilities, exit codes) for
# DS and MV with --threads 2: on the real data sets, on the same sets inflated past 16 MiB (rows
# repeated with the task names suffixed, so that the parallel TSV reader reads them) and on an
# optional large answers file. For changes to reading: a reader must not change any output.
#   Benchmarks/check-read-outputs.sh TALLY_A TALLY_B [DATASETS_DIR] [BIG_ANSWERS.tsv]
# Prints one line per differing run and a total; exits 1 when anything differs.
set -euo pipefail
cd "$(dirname "$0")/.."
a="$1"; b="$2"
sets="${3:-../shared/datasets}"
big="${4:-}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
same=0; differ=0
run() {  # run NAME FILE
    local name="$1" file="$2"
    for m in ds mv; do
        for j in a b; do
            local bin="$a"; [[ $j == b ]] && bin="$b"
            set +e
            "$bin" aggregate "$file" --method "$m" --threads 2 --out "$work/$j.labels.tsv" \
                --probabilities "$work/$j.probs.tsv" > /dev/null 2> "$work/$j.err"
            echo $? > "$work/$j.rc"
            set -e
        done
        if cmp -s "$work/a.rc" "$work/b.rc" && cmp -s "$work/a.labels.tsv" "$work/b.labels.tsv" \
            && cmp -s "$work/a.probs.tsv" "$work/b.probs.tsv"; then
            same=$((same + 1))
        else
            differ=$((differ + 1)); echo "DIFFER: $name $m (exit $(cat "$work/a.rc") vs $(cat "$work/b.rc"))"
        fi
        rm -f "$work"/?.labels.tsv "$work"/?.probs.tsv
    done
}
for d in "$sets"/*/; do
    f="$d/answers.tsv"; [[ -f "$f" ]] || continue
    name=$(basename "$d")
    run "$name" "$f"
    # Inflated past 16 MiB: copy i of every row has its task name suffixed with "~i".
    python3 - "$f" "$work/big.tsv" <<'EOF'
import sys
src, dst = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8", newline="").read().splitlines(keepends=True)
header, rows = lines[0], [l if l.endswith("\n") else l + "\n" for l in lines[1:] if l.strip()]
cols = header.rstrip("\r\n").split("\t")
ti = cols.index("task")
size = sum(len(r.encode()) for r in rows) or 1
copies = (17 << 20) // size + 1
with open(dst, "w", encoding="utf-8", newline="") as out:
    out.write(header)
    for i in range(copies):
        for r in rows:
            f = r.rstrip("\r\n").split("\t")
            f[ti] = f"{f[ti]}~{i}"
            out.write("\t".join(f) + "\n")
EOF
    run "$name (inflated)" "$work/big.tsv"
    rm -f "$work/big.tsv"
done
[[ -n "$big" ]] && run "$(basename "$(dirname "$big")")/$(basename "$big")" "$big"
echo "identical: $same; differing: $differ"
[[ $differ -eq 0 ]]
