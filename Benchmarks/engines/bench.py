"""SegmentLab's `segment` against DuckDB, Polars and chDB on one simulated event log.

Generates the log once (with the default scenario, its data-quality faults turned off), times
`segmentlab segment` (the whole process) and each engine (a process of its own: read the CSV,
compute every user's default segment on the last weekly evaluation day, write the result), checks
that every engine gives every user the segment SegmentLab gives, and prints a table and JSON lines.

Run through run.sh, which prepares the virtual environment; `python bench.py --help` for options.
Exits with status 1 when any engine disagrees with SegmentLab on any user.
"""

import argparse
import collections
import csv
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WORK = ROOT / ".build-engines"  # git-ignored (.build-*/)
BINARY = ROOT / ".build" / "release" / "segmentlab"
SCENARIO = ROOT / "scenarios" / "saas-default.yaml"
TAXONOMY = ROOT / "scenarios" / "example-taxonomy.yaml"
ENGINES = ["duckdb", "polars", "chdb"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(command: list[str], env: dict | None = None) -> tuple[float, float, int, str]:
    """Runs a command; returns its wall time and CPU time (user + system) in seconds, its peak
    resident memory in bytes (from wait4: this process alone) and its standard output. Fails on a
    non-zero exit status."""
    errors = WORK / "runs" / "last-stderr.txt"
    errors.parent.mkdir(parents=True, exist_ok=True)
    with open(errors, "w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        out = process.stdout.read()  # small: the engines' one JSON line, SegmentLab's paths
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            sys.exit(f"{' '.join(command)} failed with status {process.returncode}:\n{err.read()[-4000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, out


def ensure_binary() -> None:
    if BINARY.exists():
        return
    log("building segmentlab (release) ...")
    subprocess.run(["swift", "build", "-c", "release", "--product", "segmentlab"], cwd=ROOT, check=True)


def generate_log(users: int, days: int, seed: int) -> Path:
    # --faithful: without the scenario's data-quality faults, so the log holds exactly what the users did.
    digest = hashlib.sha256(SCENARIO.read_bytes()).hexdigest()[:10]
    name = f"events-saas-default-faithful-{digest}-u{users}-d{days}-seed{seed}.csv"
    path = WORK / "data" / name
    if path.exists():
        log(f"event log: {path.relative_to(ROOT)} (cached)")
        return path
    log(f"generating the event log ({users} users, {days} days) ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(BINARY), "simulate", str(SCENARIO), "--faithful", "--users", str(users), "--days", str(days),
         "--seed", str(seed), "--events-out", str(path)],
        check=True, stdout=subprocess.DEVNULL)
    return path


def count_events(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def run_segmentlab(events: Path, threads: int) -> dict:
    """One timed `segmentlab segment`; --out takes a folder an earlier run wrote, so each run replaces
    the previous one."""
    seconds, cpu, rss, _ = timed(
        [str(BINARY), "segment", "--events", str(events), "--taxonomy", str(TAXONOMY),
         "--threads", str(threads), "--out", str(WORK / "runs" / "segmentlab")])
    return {"total_s": seconds, "cpu_s": cpu, "peak_rss_bytes": rss}


def run_engine(engine: str, events: Path, threads: int) -> dict:
    """One timed engine_worker.py process."""
    env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
    seconds, cpu, rss, stdout = timed(
        [sys.executable, str(HERE / "engine_worker.py"), engine, str(events), str(engine_output(engine)),
         str(threads)],
        env=env)
    inner = json.loads(stdout.strip().splitlines()[-1])
    return {"total_s": seconds, "cpu_s": cpu, "peak_rss_bytes": rss, **inner}


def engine_output(engine: str) -> Path:
    return WORK / "runs" / f"{engine}.csv"


def unquote(field: str) -> str:
    """memberships.csv writes a field a spreadsheet would run as a formula with a leading "'"."""
    return field[1:] if field.startswith("'") else field


def segmentlab_memberships(out: Path) -> tuple[str, dict[str, str]]:
    """The last evaluation date in memberships.csv and every user's segment on it."""
    path = out / "memberships.csv"
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 4096))
        last_line = f.read().decode().splitlines()[-1]
    last = last_line.split(",")[2]  # rows come evaluation by evaluation, so the last row has the last date
    members = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        u, d, s = header.index("user_id"), header.index("date"), header.index("segment")
        for row in reader:
            if row[d] == last:
                members[unquote(row[u])] = unquote(row[s])
    return last, members


def engine_memberships(path: Path) -> tuple[set[str], dict[str, str]]:
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        members, dates = {}, set()
        for user, date, segment in reader:
            members[user] = segment
            dates.add(date)
    return dates, members


def compare(engine: str, date: str, reference: dict[str, str], path: Path) -> dict:
    dates, members = engine_memberships(path)
    problems = []
    if dates and dates != {date}:
        problems.append(f"evaluation date {sorted(dates)} instead of SegmentLab's {date}")
    only_segmentlab = sorted(reference.keys() - members.keys())
    only_engine = sorted(members.keys() - reference.keys())
    differ = sorted(u for u in reference.keys() & members.keys() if reference[u] != members[u])
    if only_segmentlab:
        problems.append(f"{len(only_segmentlab)} users only in SegmentLab's output, e.g. {only_segmentlab[:5]}")
    if only_engine:
        problems.append(f"{len(only_engine)} users only in {engine}'s output, e.g. {only_engine[:5]}")
    if differ:
        pairs = collections.Counter((reference[u], members[u]) for u in differ)
        problems.append(
            f"{len(differ)} users in another segment; (SegmentLab, {engine}): "
            + ", ".join(f"{a} vs {b}: {n}" for (a, b), n in pairs.most_common(10)))
        for u in differ[:10]:
            problems.append(f"  {u}: SegmentLab {reference[u]}, {engine} {members[u]}")
    return {"users_compared": len(reference.keys() & members.keys()), "disagreements":
            len(only_segmentlab) + len(only_engine) + len(differ), "problems": problems}


def import_summary(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())["import"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=160_000, help="simulated users (default 160000)")
    parser.add_argument("--days", type=int, default=35, help="simulated days, sign-ups spread over all of them (default 35)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2, help="threads for every engine (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per engine; the median is reported")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    parser.add_argument("--json", type=Path, default=None,
                        help="JSON lines file (default .build-engines/results/engines-<time>.jsonl)")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in ENGINES:
            parser.error(f"unknown engine {e}")

    ensure_binary()
    events = generate_log(args.users, args.days, args.seed)
    event_count = count_events(events)
    size = events.stat().st_size
    log(f"{event_count} events, {size / 1e6:.0f} MB")
    # Read the file once so every engine starts from the page cache.
    with open(events, "rb") as f:
        while f.read(1 << 24):
            pass

    # Rounds: every engine once per round, in the same order, so a change in the machine's load
    # (other builds, say) falls on all of them rather than on one.
    names = ["segmentlab"] + engines
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for round_ in range(1, args.runs + 1):
        for name in names:
            r = run_segmentlab(events, args.threads) if name == "segmentlab" else run_engine(name, events, args.threads)
            runs[name].append(r)
            detail = "" if name == "segmentlab" else f", load {r['load_s']:.2f} s, query {r['query_s']:.2f} s"
            log(f"round {round_}: {name} {r['total_s']:.2f} s (CPU {r['cpu_s']:.2f} s{detail})")

    summary = import_summary(WORK / "runs" / "segmentlab")
    skipped = {k: v for k, v in summary.get("skipped", {}).items() if v}
    if skipped:
        sys.exit(f"SegmentLab skipped events ({skipped}): the engines' code assumes a log without faults")
    date, reference = segmentlab_memberships(WORK / "runs" / "segmentlab")
    log(f"SegmentLab: {summary.get('users')} users, last evaluation {date}, {len(reference)} users signed up by then")

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    common = {
        "measured_at": stamp, "events": event_count, "csv_bytes": size, "users_in_log": summary.get("users"),
        "simulated_users": args.users, "days": args.days, "seed": args.seed, "threads": args.threads,
        "runs": args.runs, "evaluation_date": date, "machine": f"{platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs",
    }
    baseline = statistics.median(r["total_s"] for r in runs["segmentlab"])
    rows, failed = [], False
    for name in names:
        if name == "segmentlab":
            check = {"users_compared": len(reference), "disagreements": 0}
        else:
            check = compare(name, date, reference, engine_output(name))
            for p in check["problems"]:
                log(f"{name} DISAGREES: {p}")
            if check["disagreements"] or check["problems"]:
                failed = True
            else:
                log(f"{name}: all {check['users_compared']} users in the same segment as SegmentLab")
        r = runs[name]
        total = statistics.median(x["total_s"] for x in r)
        rows.append({
            **common, "engine": name,
            "version": segmentlab_version() if name == "segmentlab" else package_version(name),
            "total_s": total, "runs_s": [x["total_s"] for x in r],
            "cpu_s": statistics.median(x["cpu_s"] for x in r),
            "load_s": None if name == "segmentlab" else statistics.median(x["load_s"] for x in r),
            "query_s": None if name == "segmentlab" else statistics.median(x["query_s"] for x in r),
            "ratio": total / baseline, "peak_rss_bytes": max(x["peak_rss_bytes"] for x in r),
            "users_compared": check["users_compared"], "disagreements": check["disagreements"]})

    print_table(rows, common)
    path = args.json or WORK / "results" / f"engines-{stamp}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        for row in rows:
            line = json.dumps(row)
            f.write(line + "\n")
            print(line)
    log(f"figures: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if failed:
        log("FAILED: at least one engine disagrees with SegmentLab")
        sys.exit(1)


def segmentlab_version() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return rev.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def package_version(engine: str) -> str:
    from importlib.metadata import version
    return version(engine)


def print_table(rows: list[dict], common: dict) -> None:
    print(f"\n{common['events']} events, {common['users_in_log']} users, {common['days']} days; "
          f"segments of {rows[0]['users_compared']} users on {common['evaluation_date']}; "
          f"{common['threads']} threads, median of {common['runs']} runs\n")
    print("| engine | version | seconds | CPU seconds | load | query | ratio to SegmentLab | peak RSS | users compared "
          "| disagreements |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        load = "—" if r["load_s"] is None else f"{r['load_s']:.2f}"
        query = "—" if r["query_s"] is None else f"{r['query_s']:.2f}"
        print(f"| {r['engine']} | {r['version']} | {r['total_s']:.2f} | {r['cpu_s']:.2f} | {load} | {query} | "
              f"{r['ratio']:.2f} | "
              f"{r['peak_rss_bytes'] / 1e6:.0f} MB | {r['users_compared']} | {r['disagreements']} |")
    print()


if __name__ == "__main__":
    main()
