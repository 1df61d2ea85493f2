#!/usr/bin/env bash
# `segmentlab fit` of a real-sized log, as `make bench` runs it: the default scenario's faithful log at
# 100 000 users over 365 days (about 140 M events, 12 GB of CSV) written to .build-bench/fit/, fitted with the
# default sizes on two threads, and deleted. Prints one JSON line: seconds in all, of them the seconds reading the log
# (import and replay, as `segmentlab segment` reads it) and fitting, the seconds of each step of the fit, and, where
# GNU time is installed, the peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/saas-default.yaml}
folder=.build-bench/fit
rm -rf "$folder" && mkdir -p "$folder"
trap 'rm -rf "$folder"' EXIT
.build/release/segmentlab simulate "$scenario" --users 100000 --faithful --threads 2 --events-out "$folder/log.csv" >/dev/null
fit=(.build/release/segmentlab fit --events "$folder/log.csv" --taxonomy scenarios/example-taxonomy.yaml --threads 2
    --out "$folder/twin.yaml")
start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$folder/peak" "${fit[@]}" >"$folder/fit.out" 2>"$folder/fit.log"
    peak=$(tail -n 1 "$folder/peak")
else
    "${fit[@]}" >"$folder/fit.out" 2>"$folder/fit.log"
    peak=null
fi
end=$(date +%s.%N)
chosen=$(grep -m 1 '^# Chosen:' "$folder/twin.yaml" | sed 's/^# Chosen: //; s/;.*//')
# The command's lines "read in R s, fitted in F s (T s in all)" and "fitting steps: …".
read_seconds=$(grep -a '^read in ' "$folder/fit.log" | sed 's/^read in \([0-9.]*\) s.*/\1/')
fit_seconds=$(grep -a '^read in ' "$folder/fit.log" | sed 's/.*fitted in \([0-9.]*\) s.*/\1/')
# "fitting steps: release probe 13.0 s, sizes 155.0 s, …" as {"release probe": 13.0, "sizes": 155.0, …}.
steps=$(grep -a '^fitting steps: ' "$folder/fit.log" | sed 's/^fitting steps: //' \
    | awk -v RS=', ' '{ sub(/\n$/, ""); n = split($0, w, " "); name = w[1]; for (i = 2; i < n - 1; i++) name = name " " w[i];
        printf "%s\"%s\": %s", (NR > 1 ? ", " : ""), name, w[n - 1] }')
printf '{"case": "segmentlab fit of a 100 000-user, 365-day log (%s)", "seconds": %.1f, "read_seconds": %s, "fit_seconds": %s, "steps": {%s}, "peak_kb": %s, "chosen": "%s"}\n' \
    "$(basename "$scenario")" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "${read_seconds:-null}" "${fit_seconds:-null}" "$steps" \
    "$peak" "$chosen"
