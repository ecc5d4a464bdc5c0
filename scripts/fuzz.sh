#!/usr/bin/env bash
# Builds Tally's libFuzzer targets (Fuzz/) apart from the SwiftPM build and runs each one.
#
#   scripts/fuzz.sh                      # long run: 1,000,000 executions per reader, 100,000 for the emulator
#   scripts/fuzz.sh --ci                 # the bounded run CI does (a few minutes on 2 cores, build included)
#   scripts/fuzz.sh --runs N --emulator-runs M --targets crowdkit,json --max-len BYTES
#   scripts/fuzz.sh --build-only
#
# Targets: crowdkit (crowd-kit TSV/CSV answers and gold), toloka (Toloka export), jsonl (JSON
# Lines), json (the JSON parser and writer) — all in .build-fuzz/fuzz-readers, chosen by
# TALLY_FUZZ_TARGET — and emulator (.build-fuzz/fuzz-emulator: sessions of requests through the
# emulator's route table, validation, pipeline and store, no server). Both are compiled with
# `swiftc -sanitize=fuzzer,address`: a crash, a leak, a timeout (-timeout, default 10 s per input)
# or a blow-up past -rss_limit_mb fails the run, leaves the input in .build-fuzz/artifacts/ and
# makes this script exit 1. Seeds come from the shipped files (datasets/, Tests fixtures) and
# from Fuzz/Regressions/ (inputs that once failed); corpora grow in .build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

runs=1000000
emulator_runs=100000
max_len=8192            # bytes per reader input (the shipped seeds are cut to it)
emulator_max_len=32768  # bytes per emulator session
targets="crowdkit,toloka,jsonl,json,emulator"
build_only=0
optimize="-O"
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) runs=20000; emulator_runs=3000 ;;
    --runs) runs="$2"; shift ;;
    --emulator-runs) emulator_runs="$2"; shift ;;
    --targets) targets="$2"; shift ;;
    --max-len) max_len="$2"; emulator_max_len="$2"; shift ;;
    --build-only) build_only=1 ;;
    --debug) optimize="-Onone" ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 64 ;;
  esac
  shift
done

out="$repo/.build-fuzz"
mkdir -p "$out/modules" "$out/artifacts" "$out/corpus"
sanitize="-sanitize=fuzzer,address"
blas_include=$(pkg-config --cflags-only-I openblas 2>/dev/null | sed 's/^-I//; s/ .*//')
common=(-parse-as-library -package-name tally "$optimize" -wmo -swift-version 6 -enable-upcoming-feature ExistentialAny
        -I "$out/modules" -I "$repo/Sources/CTallyZlib" -I "$repo/Sources/CTallyBLAS" -Xcc -I"$blas_include"
        -I "$out/modules/CTallyKernels" -suppress-warnings)

sources() { find "$repo/Sources/$1" -name '*.swift' ! -name 'TolokaEmulatorServer.swift' | sort; }

# Sources newer than the binary? (A cheap check so that a second run skips the build.)
#   stale BINARY DIR...
stale() { local bin=$1; shift; [ ! -f "$bin" ] || [ -n "$(find "$@" -newer "$bin" \( -name '*.swift' -o -name '*.c' -o -name '*.h' \) -print -quit)" ]; }

build_readers() {
  local bin="$out/fuzz-readers"
  stale "$bin" "$repo/Sources/TallyCore" "$repo/Sources/CTallyZlib" "$repo/Fuzz/Readers" || return 0
  echo "fuzz: building $bin" >&2
  # shellcheck disable=SC2046
  swiftc "${common[@]}" $sanitize -module-name TallyCore $(sources TallyCore) "$repo/Fuzz/Readers/ReaderFuzzer.swift" -o "$bin"
}

# One library module: its object file and .swiftmodule in .build-fuzz/modules, kept while none
# of its sources, its extra files and the objects of the modules it depends on is newer.
#   module NAME "DEP1 DEP2" [EXTRA.swift]
module() {
  local name=$1 deps=$2; shift 2
  local obj="$out/modules/$name.o" newer=() d
  for d in $deps; do newer+=("$out/modules/$d.o"); done
  if [ -f "$obj" ] && [ -z "$(find "$repo/Sources/$name" "$@" "${newer[@]}" -newer "$obj" \( -name '*.swift' -o -name '*.o' \) -print -quit)" ]; then
    return 0
  fi
  echo "fuzz: compiling $name" >&2
  # shellcheck disable=SC2046
  swiftc "${common[@]}" $sanitize -module-name "$name" -c $(sources "$name") "$@" \
    -emit-module-path "$out/modules/$name.swiftmodule" -o "$obj"
}

build_emulator() {
  local bin="$out/fuzz-emulator"
  stale "$bin" "$repo/Sources" "$repo/Fuzz/Emulator" || return 0
  echo "fuzz: building $bin" >&2
  mkdir -p "$out/modules/CTallyKernels"
  cat > "$out/modules/CTallyKernels/module.modulemap" <<EOF
module CTallyKernels {
    umbrella header "$repo/Sources/CTallyKernels/include/CTallyKernels.h"
    export *
}
EOF
  local c o
  for c in "$repo"/Sources/CTallyKernels/*.c; do
    o="$out/modules/CTallyKernels-$(basename "$c" .c).o"
    [ -f "$o" ] && [ -z "$(find "$repo/Sources/CTallyKernels" -newer "$o" -print -quit)" ] && continue
    clang -O2 -fPIC -I "$repo/Sources/CTallyKernels/include" -c "$c" -o "$o"
  done
  module TallyCore ""
  module TallyQualityControl "TallyCore"
  module TallyAggregation "TallyCore"
  module TallySimulation "TallyCore TallyQualityControl TallyAggregation"
  module TolokaEmulator "TallyCore TallyQualityControl TallySimulation" "$repo/Fuzz/Emulator/EmulatorFuzzer.swift"
  swiftc $sanitize "$out"/modules/*.o -L"$(pkg-config --variable=libdir openblas 2>/dev/null || echo /usr/lib)" \
    -lopenblas -llapacke -lz -o "$bin"
}

IFS=, read -r -a wanted <<< "$targets"
needs_readers=0; needs_emulator=0
for t in "${wanted[@]}"; do
  case "$t" in
    crowdkit|toloka|jsonl|json) needs_readers=1 ;;
    emulator) needs_emulator=1 ;;
    *) echo "fuzz.sh: unknown target $t (crowdkit, toloka, jsonl, json, emulator)" >&2; exit 64 ;;
  esac
done
start=$(date +%s)
[ $needs_readers = 1 ] && build_readers
[ $needs_emulator = 1 ] && build_emulator
echo "fuzz: built in $(( $(date +%s) - start )) s" >&2
[ $build_only = 1 ] && exit 0

# Seeds: the shipped files each reader is meant for, and the regression inputs.
seeds="$out/seeds-$$"   # per run, so that two runs (different targets) can go side by side
trap 'rm -rf "$seeds"' EXIT
rm -rf "$seeds"; mkdir -p "$seeds"/{crowdkit,toloka,jsonl,json,emulator}
cp datasets/toy/answers.tsv "$seeds/crowdkit/toy-answers.tsv"
cp datasets/toy/gold.tsv "$seeds/crowdkit/toy-gold.tsv"
tr '\t' ',' < datasets/toy/answers.tsv > "$seeds/crowdkit/toy-answers.csv"
cp datasets/toloka-audio-gender/tasks-truth.tsv datasets/toloka-audio-gender/truth.tsv "$seeds/crowdkit/"
cp datasets/real/act-cf/answers.tsv.gz "$seeds/crowdkit/act-cf-answers.tsv.gz"
gzip -dc datasets/real/act-cf/answers.tsv.gz | head -40 > "$seeds/crowdkit/act-cf-head.tsv"
head -30 datasets/toloka-audio-gender/export.tsv > "$seeds/toloka/export-head.tsv"
cp datasets/toloka-audio-gender/export.tsv "$seeds/toloka/export.tsv"
awk -F'\t' 'NR > 1 { printf "{\"task\": \"%s\", \"worker\": \"%s\", \"label\": \"%s\"}\n", $1, $2, $3 }' \
  datasets/toy/answers.tsv > "$seeds/jsonl/toy.jsonl"
for f in datasets/scenarios/*.json datasets/toloka-audio-gender/*.json; do cp "$f" "$seeds/json/$(basename "$f")"; done
python3 - "$seeds/emulator" <<'EOF'
import json, sys
out = sys.argv[1]
capture = json.load(open("Tests/TolokaClientTests/Fixtures/tolokakit-0.1.26-notebook.json"))
workflow = json.load(open("datasets/toloka-audio-gender/workflow.json"))
pool = dict(capture["pool"]); pool["project_id"] = "$PROJECT"
tasks = [dict(t, pool_id="$POOL") for t in capture["tasks"][:8]]
for t in tasks: t.pop("__client_uuid", None)
def session(*requests):
    return "\n===\n".join(f"{m} {p}\n{json.dumps(b) if b is not None else ''}".rstrip("\n") for m, p, b in requests) + "\n"
sessions = {
    "notebook": session(("POST", "/api/v1/projects", capture["project"]), ("POST", "/api/v1/pools", pool),
                        ("POST", "/api/v1/tasks?allow_defaults=true&open_pool=true", tasks),
                        ("GET", "/api/v1/pools/$POOL", None), ("GET", "/api/v1/assignments?pool_id=$POOL&limit=50&sort=id", None),
                        ("GET", "/_emulator/pools/$POOL/quality-control-log", None)),
    "workflow": session(("POST", "/api/v1/projects", workflow["project"]), ("GET", "/api/v1/projects?limit=5", None),
                        ("POST", "/api/v1/pools", dict(workflow["pool"], project_id="$PROJECT", will_expire="2030-01-01T00:00:00")),
                        ("POST", "/api/v1/pools/$POOL/open", None), ("GET", "/api/v1/operations?limit=3", None)),
    "async-tasks": session(("POST", "/api/v1/projects", capture["project"]), ("POST", "/api/v1/pools", pool),
                           ("POST", "/api/v1/tasks?async_mode=true&allow_defaults=true", tasks), ("GET", "/api/v1/tasks?pool_id=$POOL&id_gt=0", None),
                           ("PATCH", "/api/v1/pools/$POOL", {"private_name": "x"}), ("POST", "/api/v1/pools/$POOL/close", None)),
    "errors": session(("POST", "/api/v1/projects", {"public_name": 5}), ("GET", "/api/v1/pools/abc", None),
                      ("GET", "/api/v1/tasks?id_gt=abc", None), ("DELETE", "/api/v1/projects/1", None),
                      ("POST", "/_emulator/faults", {"faults": []}), ("GET", "/_emulator/status", None), ("GET", "/api/v1/requester", None)),
}
for name, text in sessions.items():
    open(f"{out}/{name}.txt", "w").write(text)
EOF
for t in crowdkit toloka jsonl json emulator; do
  [ -d "Fuzz/Regressions/$t" ] && cp Fuzz/Regressions/"$t"/* "$seeds/$t/" 2>/dev/null || true
done

status=0
summary=""
for t in "${wanted[@]}"; do
  corpus="$out/corpus/$t"; mkdir -p "$corpus"
  n=$runs; bin="$out/fuzz-readers"; len=$max_len
  if [ "$t" = emulator ]; then n=$emulator_runs; bin="$out/fuzz-emulator"; len=$emulator_max_len; fi
  log="$out/$t.log"
  t0=$(date +%s)
  set +e
  TALLY_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=1 "$bin" "$corpus" "$seeds/$t" -runs="$n" -max_len="$len" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" > "$log" 2>&1
  rc=$?
  set -e
  done_runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  peak=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  line="$t: $done_runs executions in $(( $(date +%s) - t0 )) s (max_len $len), peak RSS $peak MB, exit $rc"
  echo "fuzz: $line" >&2
  summary+="$line"$'\n'
  if [ $rc -ne 0 ]; then
    status=1
    grep -E 'ERROR|==ERROR|Fatal error|panic|Test unit written' "$log" | head -5 >&2 || true
  fi
done
echo "fuzz: total $(( $(date +%s) - start )) s (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
printf '%s' "$summary" >> "$out/summary.txt"
exit $status
