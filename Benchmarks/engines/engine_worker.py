"""One timed run of one engine, in a process of its own: reads the event log, computes every user's
segment on the last weekly evaluation day, writes `user_id,date,segment` to OUT, and prints one JSON
object with the load, query and write times (seconds) on standard output.

    python engine_worker.py duckdb|polars|chdb EVENTS.csv OUT.csv THREADS

The driver (bench.py) times the whole process from outside as well: interpreter start and the
engine's import are part of what a user waits for.
"""

import csv
import io
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sql_parts(path: Path, csv_path: str) -> tuple[list[str], str]:
    """The load statements and the query of an SQL file split at its `-- @load` and `-- @query` lines.
    Statements of the load are separated by lines holding only ';' (chDB) or by ';' at line end (DuckDB
    runs them as one script)."""
    text = path.read_text()
    _, rest = text.split("-- @load\n", 1)
    load, query = rest.split("-- @query\n", 1)
    quoted = csv_path.replace("'", "''")
    load = load.replace("{csv}", quoted)
    statements = [s.strip() for s in load.split("\n;\n") if s.strip()]
    return statements, query.replace("{csv}", quoted)


def run_duckdb(events: str, threads: int) -> tuple[float, float, list[tuple[str, str, str]]]:
    import duckdb

    load, query = sql_parts(HERE / "segments_duckdb.sql", events)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    start = time.perf_counter()
    for statement in load:
        con.execute(statement)
    loaded = time.perf_counter()
    rows = con.execute(query).fetchall()
    done = time.perf_counter()
    return loaded - start, done - loaded, rows


def run_polars(events: str, threads: int) -> tuple[float, float, list[tuple[str, str, str]]]:
    os.environ["POLARS_MAX_THREADS"] = str(threads)  # read when polars is imported
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, str(HERE))
    import segments_polars

    start = time.perf_counter()
    frame = segments_polars.load(events)
    loaded = time.perf_counter()
    rows = segments_polars.segments(frame).rows()
    done = time.perf_counter()
    return loaded - start, done - loaded, rows


def run_chdb(events: str, threads: int) -> tuple[float, float, list[tuple[str, str, str]]]:
    from chdb import session

    load, query = sql_parts(HERE / "segments_chdb.sql", events)
    load = [s.replace("SET max_threads = 2", f"SET max_threads = {threads}") for s in load]
    db = session.Session()
    start = time.perf_counter()
    for statement in load:
        db.query(statement)
    loaded = time.perf_counter()
    result = db.query(query, "CSV")
    text = result.bytes().decode() if hasattr(result, "bytes") else str(result)
    rows = [tuple(r) for r in csv.reader(io.StringIO(text))]
    done = time.perf_counter()
    db.close()
    return loaded - start, done - loaded, rows


ENGINES = {"duckdb": run_duckdb, "polars": run_polars, "chdb": run_chdb}


def main() -> None:
    engine, events, out, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    load_s, query_s, rows = ENGINES[engine](events, threads)
    start = time.perf_counter()
    with open(out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["user_id", "date", "segment"])
        writer.writerows(rows)
    write_s = time.perf_counter() - start
    dates = sorted({r[1] for r in rows})
    print(json.dumps({"load_s": load_s, "query_s": query_s, "write_s": write_s, "rows": len(rows), "dates": dates}))


if __name__ == "__main__":
    main()
