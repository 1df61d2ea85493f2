#!/usr/bin/env bash
# Churn prediction on a real purchase log: the CDNOW master file (23 570 customers who first bought a CD
# in the first quarter of 1997, every purchase to the end of June 1998; Fader & Hardie's public copy of
# it travels in the `lifetimes` wheel on PyPI). The log is turned into SegmentLab's CSV (one `purchase`
# event per line) and evaluated with the cutoff at the end of September 1997 and a horizon of 39 weeks
# (to 30 June 1998): the calibration and hold-out periods of Fader, Hardie & Lee (2005). Prints each
# predictor's ROC AUC with its DeLong interval and the DeLong comparisons.
#
#   Benchmarks/cdnow/run.sh [OUT_DIR]      (make cdnow; needs .build/release/segmentlab)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/.build-cdnow"
out="${1:-$work/evaluation-$(date -u +%Y%m%dT%H%M%SZ)}"
segmentlab="$root/.build/release/segmentlab"
[ -x "$segmentlab" ] || { echo "run.sh: build $segmentlab first (make cdnow does)" >&2; exit 1; }

"$root/scripts/python-venv.sh" "$work/venv" "$here/requirements.txt"
wheel="$work/Lifetimes-0.11.3-py3-none-any.whl"
if [ ! -f "$wheel" ]; then
	"$work/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
		--dest "$work" "lifetimes==0.11.3"
fi
# The wheel's hash as first downloaded: the data must be the data the figures were measured on.
echo "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8  $wheel" | sha256sum --check --quiet

"$work/venv/bin/python" - "$wheel" "$work/cdnow.csv" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
text = zipfile.ZipFile(wheel).read("lifetimes/datasets/CDNOW_master.txt").decode()
rows = ["user_id,event,timestamp,properties"]
for line in text.splitlines()[1:]:
    customer, date, cds, dollars = line.split()
    rows.append(f'c{customer},purchase,{date[:4]}-{date[4:6]}-{date[6:]}T12:00:00Z,"{{""amount"": {dollars}}}"')
open(out, "w").write("\n".join(rows) + "\n")
print(f"{len(rows) - 1} purchases of {len({r.split(',')[0] for r in rows[1:]})} customers", file=sys.stderr)
PY

"$segmentlab" evaluate --events "$work/cdnow.csv" --taxonomy "$root/scenarios/example-purchase-taxonomy.yaml" \
	--cutoff 1997-09-30 --horizon 273 --out "$out" >/dev/null
"$work/venv/bin/python" - "$out/results.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["churn_prediction"]
print(f"scored: {p['scored']}")
for c in p["cutoffs"]:
    print(f"cutoff {c['date']}: {c['test_users']} scored customers, {c['test_churned']} churned")
    for q in c["predictors"]:
        i = q.get("roc_auc_interval")
        print(f"  {q['name']:<28} ROC AUC {q['roc_auc']:.3f}" + (f" ({i['lower']:.3f}-{i['upper']:.3f})" if i else ""))
    for x in c["comparisons"]:
        d = x["test"]["difference"]
        print(f"  {x['first']} - {x['second']}: {d['estimate']:+.3f} ({d['lower']:+.3f} to {d['upper']:+.3f}), "
              f"p = {x['test']['p_value']:.2g}")
    for b in c.get("baselines", []):
        print(f"  {b['name']}: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(b["parameters"].items()))
              + f", log-likelihood {b.get('log_likelihood', float('nan')):.1f}")
PY
echo "results: $out/results.json"
