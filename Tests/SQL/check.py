"""Checks that the SQL of `segmentlab sql` gives, on PostgreSQL, DuckDB and ClickHouse (chDB), the
rows `segmentlab segment` writes to memberships.csv: the same users, dates, accounts, segments and
tags, row by row.

For every case: simulate a log (or write the edge-case log), segment it with `segmentlab segment`,
load it into each engine, run the query `segmentlab sql` prints for that engine and compare. Any
difference is printed (counts by pair of segments, examples) and the exit status is 1.

Run through run.sh, which prepares the virtual environment and a throwaway PostgreSQL server;
`python check.py --help` lists the options. README.md beside this file says more.
"""

import argparse
import calendar
import collections
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COLUMNS = ["user_id", "account_id", "date", "segment", "tags"]
ENGINES = ["postgres", "duckdb", "clickhouse"]
NULL_MARK = "\\N"  # how the loader files write NULL (every engine reads it unquoted as NULL)

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(HERE))
import edge_log  # noqa: E402
import standin  # noqa: E402


def log(message: str = "") -> None:
    print(message, flush=True)


def shown(path: Path) -> str:
    """A path as printed: relative to the repository when inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# The cases

@dataclass(frozen=True)
class Log:
    """An event log and the tables it is loaded as."""
    name: str
    scenario: str | None = None  # simulated from this scenario; None: the edge-case log
    users: int = 0
    days: int = 0
    seed: int = 0
    taxonomy: str = "scenarios/example-taxonomy.yaml"
    events_table: str = "events"
    aliases_table: str = "aliases"
    accounts_table: str = "accounts"


@dataclass(frozen=True)
class Run:
    """One `segmentlab segment` and the same question asked as SQL."""
    log: str
    segments: str | None  # a segments file (relative to the repository), None: the default segments
    every: str = "week"
    as_of: str | None = None
    since: str | None = None
    accounts: bool = False  # pass the log's accounts table

    @property
    def name(self) -> str:
        seg = "default" if self.segments is None else Path(self.segments).stem
        mode = f"as-of {self.as_of}" if self.as_of else ("daily" if self.every == "day" else "weekly")
        if self.since:
            mode += f" since {self.since}"
        return f"{self.log} / {seg}{' + accounts' if self.accounts else ''} / {mode}"


METRICS = "Tests/SQL/segments-many-metrics.yaml"
STANDIN_SEGMENTS = "Tests/SQL/standin-segments.yaml"
CAPS = "Tests/SQL/segments-caps.yaml"

LOGS = [
    # The default product with its data-quality faults: lost, duplicate-identity and late events.
    Log("saas", "scenarios/saas-default.yaml", users=1500, days=63, seed=7),
    # Campaigns acting on the users; other table names, to exercise --events-table (in a schema of its
    # own) and --aliases-table.
    Log("reengagement", "scenarios/reengagement.yaml", users=1000, days=56, seed=3,
        events_table="analytics.tracks", aliases_table="identities"),
    # A free plan with weekly caps and paid features it lacks: cap_reached and premium_attempted events.
    Log("expansion", "scenarios/expansion.yaml", users=1200, days=63, seed=5),
    # Hand-made corner cases (edge_log.py).
    Log("edge", taxonomy="Tests/SQL/edge-taxonomy.yaml"),
]

RUNS = [
    Run("saas", None),
    Run("saas", None, as_of="2026-02-03"),
    Run("saas", None, as_of="2026-03-08"),
    Run("saas", METRICS),
    Run("saas", METRICS, as_of="2026-02-03"),
    Run("saas", METRICS, as_of="2026-03-08"),
    Run("reengagement", None),
    Run("reengagement", None, as_of="2026-02-14"),
    Run("reengagement", METRICS, every="day"),
    Run("expansion", CAPS),
    Run("expansion", CAPS, every="day"),
    Run("expansion", CAPS, as_of="2026-02-20"),
    Run("expansion", METRICS),
    Run("edge", None),
    Run("edge", None, every="day"),
    Run("edge", None, as_of="2026-03-08"),
    Run("edge", None, as_of="2026-03-15"),
    Run("edge", None, since="2026-03-05"),
    Run("edge", METRICS, accounts=True),
    Run("edge", METRICS, accounts=True, as_of="2026-03-22"),
]


# ---------------------------------------------------------------------------------------------
# Preparing a log for loading

TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d\d(?::?\d\d)?)?")
EPOCH = re.compile(r"(\d+)(?:\.(\d+))?")


def epoch_millis(text: str) -> int:
    """The instant of a timestamp as the importer reads it (docs/importing.md, "Times and days"):
    ISO 8601 with an optional zone (none means UTC), fractions cut to the millisecond; or epoch
    seconds, milliseconds above 10^11."""
    m = TIMESTAMP.fullmatch(text)
    if m:
        y, mo, d, h, mi, s, frac, zone = m.groups()
        ms = int((frac or "")[:3].ljust(3, "0"))
        offset = 0
        if zone and zone[0] in "+-":
            digits = zone[1:].replace(":", "")
            offset = int(digits[:2]) * 60 + int(digits[2:] or 0)
            offset = -offset if zone[0] == "-" else offset
        seconds = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s or 0)))
        return seconds * 1000 + ms - offset * 60_000
    m = EPOCH.fullmatch(text)
    if m:
        whole, frac = int(m.group(1)), m.group(2) or ""
        if whole > 10**11:  # milliseconds
            return whole
        return whole * 1000 + int(frac[:3].ljust(3, "0"))
    raise ValueError(f"timestamp the harness cannot read: {text!r}")


@dataclass
class LogData:
    """A log ready to load: files in the engines' common loading shape and what they must hold."""
    log: Log
    events_csv: Path  # the original log
    load_csv: Path  # user_id,account_id,event,ts_ms,properties with NULL as \N
    aliases_csv: Path | None
    accounts_csv: Path | None
    checksum: dict = field(default_factory=dict)


def prepare_load_file(events_csv: Path, out: Path) -> dict:
    """Writes the columns the tables hold (received_at dropped, the instant as epoch milliseconds,
    empty account and properties fields as NULL) and returns what every engine must then report."""
    count = accounts = properties = chars = ms_sum = 0
    ms_min = ms_max = None
    with open(events_csv, newline="", encoding="utf-8") as f, open(out, "w", newline="", encoding="utf-8") as o:
        reader = csv.reader(f)
        header = [h.lower().replace("_", "") for h in next(reader)]
        col = {name: header.index(name.replace("_", "")) for name in
               ["user_id", "account_id", "event", "timestamp", "properties"]}
        writer = csv.writer(o, lineterminator="\n")
        writer.writerow(["user_id", "account_id", "event", "ts_ms", "properties"])
        for line, row in enumerate(reader, start=2):
            try:
                ms = epoch_millis(row[col["timestamp"]])
            except ValueError as e:
                sys.exit(f"{events_csv}:{line}: {e}")
            account = row[col["account_id"]] or None
            props = row[col["properties"]] or None
            writer.writerow([row[col["user_id"]], NULL_MARK if account is None else account, row[col["event"]], ms,
                             NULL_MARK if props is None else props])
            count += 1
            accounts += account is not None
            if props is not None:
                properties += 1
                chars += len(props)
            ms_sum += ms
            ms_min = ms if ms_min is None else min(ms_min, ms)
            ms_max = ms if ms_max is None else max(ms_max, ms)
    return {"rows": count, "account_ids": accounts, "properties": properties, "property_chars": chars,
            "ms_sum": ms_sum, "ms_min": ms_min, "ms_max": ms_max}


def table_rows(path: Path) -> int:
    with open(path, newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def duplicate_identity_aliases(events_csv: Path, out: Path) -> int:
    """Maps every dNNNNNNN id of a simulated log to uNNNNNNN (docs/event-log-format.md)."""
    ids = set()
    with open(events_csv, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            if re.fullmatch(r"d\d+", row[0]):
                ids.add(row[0])
    with open(out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["alias", "user_id"])
        writer.writerows([i, "u" + i[1:]] for i in sorted(ids))
    return len(ids)


def make_log(lg: Log, segmentlab: Path, work: Path) -> LogData:
    folder = work / "logs" / lg.name
    folder.mkdir(parents=True)
    if lg.scenario:
        events = folder / "events.csv"
        command = [str(segmentlab), "simulate", lg.scenario, "--users", str(lg.users), "--days", str(lg.days),
                   "--seed", str(lg.seed), "--events-out", str(events)]
        run_checked(command)
        aliases = folder / "aliases.csv"
        n = duplicate_identity_aliases(events, aliases)
        accounts = None
        what = f"{lg.scenario}, {lg.users} users, {lg.days} days, seed {lg.seed}; {n} duplicate ids aliased"
    else:
        edge_log.write(folder)
        events, aliases, accounts = folder / "events.csv", folder / "aliases.csv", folder / "accounts.csv"
        what = "the edge-case log of edge_log.py"
    data = LogData(lg, events, folder / "load.csv", aliases, accounts)
    data.checksum = prepare_load_file(events, data.load_csv)
    log(f"log {lg.name}: {what}: {data.checksum['rows']} events")
    return data


# ---------------------------------------------------------------------------------------------
# The engines

class EngineError(Exception):
    pass


@dataclass
class Result:
    columns: list[str]
    types: list[str]
    rows: list[tuple]


class Postgres:
    """A PostgreSQL server started by postgres.sh, driven through psql."""
    name = "postgres"
    text_types = {"text", "character varying"}

    def __init__(self, folder: Path):
        settings = dict(line.split("=", 1) for line in (folder / "env").read_text().splitlines() if "=" in line)
        self.psql_path = settings.pop("PSQL")
        self.env = dict(os.environ, **settings, PGOPTIONS="-c TimeZone=UTC")
        self.tables: list[str] = []

    def psql(self, script: str, output_csv: bool = False) -> str:
        command = [self.psql_path, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"] + (["--csv"] if output_csv else [])
        done = subprocess.run(command, input=script, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise EngineError(done.stderr.strip())
        return done.stdout

    def version(self) -> str:
        return self.psql("SHOW server_version;", output_csv=True).splitlines()[-1]

    def load(self, data: LogData) -> dict:
        lg = data.log
        names = self.tables + [lg.events_table] + [table for table, _, _ in side_tables(data)]
        drop = "".join(f"DROP TABLE IF EXISTS {t};\n" for t in dict.fromkeys(names))
        schema = schema_of(lg.events_table)
        if schema:
            drop += f"CREATE SCHEMA IF NOT EXISTS {schema};\n"
        script = f"""{drop}SET TIME ZONE 'UTC';
CREATE TEMP TABLE stage (user_id TEXT, account_id TEXT, event TEXT, ts_ms BIGINT, properties TEXT);
\\copy stage FROM '{data.load_csv}' WITH (FORMAT csv, HEADER true, NULL '\\N')
CREATE TABLE {lg.events_table} (user_id TEXT, account_id TEXT, event TEXT, timestamp TIMESTAMPTZ, properties JSON);
INSERT INTO {lg.events_table}
SELECT user_id, account_id, event, TIMESTAMPTZ 'epoch' + ts_ms * INTERVAL '1 millisecond', CAST(properties AS JSON)
FROM stage;
"""
        self.tables = [lg.events_table]
        script += self.side_tables(data)
        script += "ANALYZE;\n"
        self.psql(script)
        return self.checksum(lg)

    def side_tables(self, data: LogData) -> str:
        script = ""
        for table, path, columns in side_tables(data):
            script += f"CREATE TABLE {table} ({', '.join(c + ' TEXT' for c in columns)});\n"
            script += f"\\copy {table} FROM '{path}' WITH (FORMAT csv, HEADER true)\n"
            self.tables.append(table)
        return script

    def checksum(self, lg: Log) -> dict:
        ms = "CAST(EXTRACT(EPOCH FROM timestamp) * 1000 AS BIGINT)"
        out = self.psql(f"""SELECT count(*), count(account_id), count(properties), sum(length(CAST(properties AS TEXT))),
  sum({ms}), min({ms}), max({ms}) FROM {lg.events_table};""", output_csv=True)
        return checksum_dict(out.splitlines()[-1].split(","))

    def count(self, table: str) -> int:
        return int(self.psql(f"SELECT count(*) FROM {table};", output_csv=True).splitlines()[-1])

    def query(self, sql: str) -> Result:
        mark = "<NULL>"
        out = self.psql(f"\\pset null '{mark}'\nSET TIME ZONE 'UTC';\n{sql}\n;\n", output_csv=True)
        rows = list(csv.reader(out.splitlines()))
        if not rows:
            raise EngineError("the query returned nothing, not even a header")
        body = [tuple(None if v == mark else v for v in r) for r in rows[1:]]
        # The column types: psql's \gdesc describes the query without running it.
        described = self.psql(f"SET TIME ZONE 'UTC';\n{sql.rstrip().rstrip(';')}\n\\gdesc\n", output_csv=True)
        types = [r[1] for r in list(csv.reader(described.splitlines()))[1:]]
        return Result(rows[0], types, body)

    def close(self) -> None:
        pass


class DuckDB:
    name = "duckdb"
    text_types = {"VARCHAR"}

    def __init__(self):
        import duckdb
        self.duckdb = duckdb
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET threads = 2")
        self.tables: list[str] = []

    def version(self) -> str:
        return self.duckdb.__version__

    def load(self, data: LogData) -> dict:
        lg = data.log
        for table in self.tables:
            self.con.execute(f"DROP TABLE IF EXISTS {table}")
        self.tables = [lg.events_table] + [table for table, _, _ in side_tables(data)]
        schema = schema_of(lg.events_table)
        if schema:
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        self.con.execute(f"""
CREATE TABLE {lg.events_table} (user_id VARCHAR, account_id VARCHAR, event VARCHAR, timestamp TIMESTAMPTZ, properties JSON);
INSERT INTO {lg.events_table}
SELECT user_id, account_id, event, make_timestamptz(ts_ms * 1000), CAST(properties AS JSON)
FROM read_csv('{data.load_csv}', header = true, nullstr = '\\N', quote = '"', escape = '"',
  columns = {{'user_id': 'VARCHAR', 'account_id': 'VARCHAR', 'event': 'VARCHAR', 'ts_ms': 'BIGINT',
             'properties': 'VARCHAR'}});""")
        for table, path, columns in side_tables(data):
            spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
            self.con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, "
                             f"quote = '\"', escape = '\"', columns = {{{spec}}})")
        row = self.con.execute(f"""SELECT count(*), count(account_id), count(properties),
  sum(length(CAST(properties AS VARCHAR))), sum(epoch_ms(timestamp)), min(epoch_ms(timestamp)),
  max(epoch_ms(timestamp)) FROM {lg.events_table}""").fetchone()
        return checksum_dict(row)

    def count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def query(self, sql: str) -> Result:
        try:
            cursor = self.con.execute(sql)
            description = cursor.description
            rows = cursor.fetchall()
        except self.duckdb.Error as e:
            raise EngineError(str(e)) from None
        return Result([d[0] for d in description], [str(d[1]) for d in description],
                      [tuple(v if v is None or isinstance(v, str) else str(v) for v in r) for r in rows])

    def close(self) -> None:
        self.con.close()


class ClickHouse:
    """ClickHouse in this process (chDB), with its default settings but the session's time zone."""
    name = "clickhouse"
    text_types = {"String", "LowCardinality(String)", "Nullable(String)", "LowCardinality(Nullable(String))"}

    def __init__(self):
        import chdb
        from chdb import session
        self.chdb = chdb
        self.session = session.Session()
        self.run("SET session_timezone = 'UTC'")
        self.tables: list[str] = []

    def run(self, sql: str, fmt: str = "CSV"):
        try:
            return self.session.query(sql, fmt)
        except Exception as e:  # chDB raises its own error type for anything the server refuses
            raise EngineError(str(e).strip()) from None

    def json(self, sql: str) -> dict:
        result = self.run(sql, "JSONCompact")
        text = result.bytes().decode() if hasattr(result, "bytes") else str(result)
        return json.loads(text) if text.strip() else {"meta": [], "data": []}

    def version(self) -> str:
        return f"{self.chdb.__version__} (ClickHouse {self.json('SELECT version()')['data'][0][0]})"

    def load(self, data: LogData) -> dict:
        lg = data.log
        for table in self.tables:
            self.run(f"DROP TABLE IF EXISTS {table}")
        self.tables = [lg.events_table]
        schema = schema_of(lg.events_table)
        if schema:
            self.run(f"CREATE DATABASE IF NOT EXISTS {schema}")
        self.run(f"""CREATE TABLE {lg.events_table} (user_id String, account_id Nullable(String), event String,
  timestamp DateTime64(3, 'UTC'), properties Nullable(String)) ENGINE = MergeTree ORDER BY tuple()""")
        self.run(f"""INSERT INTO {lg.events_table}
SELECT user_id, account_id, event, fromUnixTimestamp64Milli(ts_ms, 'UTC'), properties
FROM file('{data.load_csv}', 'CSVWithNames',
  'user_id String, account_id Nullable(String), event String, ts_ms Int64, properties Nullable(String)')""")
        for table, path, columns in side_tables(data):
            structure = ", ".join(f"{c} String" for c in columns)
            self.run(f"CREATE TABLE {table} ({structure}) ENGINE = MergeTree ORDER BY tuple()")
            self.run(f"INSERT INTO {table} SELECT * FROM file('{path}', 'CSVWithNames', '{structure}')")
            self.tables.append(table)
        ms = "toUnixTimestamp64Milli(timestamp)"
        row = self.json(f"""SELECT count(), count(account_id), count(properties), sum(lengthUTF8(properties)),
  sum(toInt128({ms})), min({ms}), max({ms}) FROM {lg.events_table}""")["data"][0]
        return checksum_dict(row)

    def count(self, table: str) -> int:
        return int(self.json(f"SELECT count() FROM {table}")["data"][0][0])

    def query(self, sql: str) -> Result:
        out = self.json(sql)
        meta = out.get("meta", [])
        rows = [tuple(v if v is None or isinstance(v, str) else json.dumps(v) for v in r) for r in out.get("data", [])]
        return Result([m["name"] for m in meta], [m["type"] for m in meta], rows)

    def close(self) -> None:
        self.session.close()


def schema_of(table: str) -> str | None:
    """The schema (ClickHouse: database) of a qualified table name."""
    return table.rsplit(".", 1)[0] if "." in table else None


def side_tables(data: LogData) -> list[tuple[str, Path, list[str]]]:
    """The alias and account tables of a log, as (table, CSV file, columns)."""
    tables = []
    if data.aliases_csv:
        tables.append((data.log.aliases_table, data.aliases_csv, ["alias", "user_id"]))
    if data.accounts_csv:
        tables.append((data.log.accounts_table, data.accounts_csv, ["user_id", "account_id"]))
    return tables


def checksum_dict(values) -> dict:
    names = ["rows", "account_ids", "properties", "property_chars", "ms_sum", "ms_min", "ms_max"]
    return {n: int(v) if v not in (None, "") else 0 for n, v in zip(names, values)}


def check_load(engine, data: LogData, got: dict) -> list[str]:
    """What a load got wrong: the events' count, NULLs, property text and instants to the
    millisecond, and the side tables' rows."""
    problems = [f"{k}: {got.get(k)} loaded, {v} in the log" for k, v in data.checksum.items() if got.get(k) != v]
    for table, path, _ in side_tables(data):
        if engine.count(table) != table_rows(path):
            problems.append(f"{table}: {engine.count(table)} rows loaded, {table_rows(path)} in {path.name}")
    return problems


# ---------------------------------------------------------------------------------------------
# segmentlab

def run_checked(command: list[str]) -> str:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with status {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def segment(segmentlab: Path, run: Run, data: LogData, out: Path) -> list[tuple]:
    command = [str(segmentlab), "segment", "--events", str(data.events_csv), "--taxonomy", data.log.taxonomy,
               "--out", str(out)]
    if run.segments:
        command += ["--segments", run.segments]
    if data.aliases_csv:
        command += ["--aliases", str(data.aliases_csv)]
    if run.accounts:
        command += ["--accounts", str(data.accounts_csv)]
    command += mode_options(run)
    if run.as_of:
        command += ["--once"]
    run_checked(command)
    return read_memberships(out / "memberships.csv")


def check_to_table(segmentlab: Path, pg: "Postgres", data: LogData, work: Path) -> list[str]:
    """`segment --to`: the table it loads holds exactly memberships.csv's rows, and loading the same
    days again is refused (exit status 2) without writing a folder or a row."""
    table = "sl_check_memberships"
    pg.psql(f"DROP TABLE IF EXISTS {table};")
    command = [str(segmentlab), "segment", "--events", str(data.events_csv), "--taxonomy", data.log.taxonomy,
               "--to", "postgresql:///" + pg.env["PGDATABASE"], "--to-table", table]
    if data.aliases_csv:
        command += ["--aliases", str(data.aliases_csv)]
    first = subprocess.run(command + ["--out", str(work / "first")], env=pg.env, capture_output=True, text=True)
    if first.returncode != 0:
        return [f"segment --to failed: {first.stderr.strip()[-2000:]}"]
    reference = sorted(read_memberships(work / "first" / "memberships.csv"))
    out = pg.psql(f"SELECT user_id, account_id, CAST(date AS TEXT), segment, tags FROM {table};", output_csv=True)
    rows = sorted(tuple(r) for r in list(csv.reader(io.StringIO(out)))[1:])
    problems = compare(reference, rows, "postgres table")
    second = subprocess.run(command + ["--out", str(work / "second")], env=pg.env, capture_output=True, text=True)
    if second.returncode != 2 or "already holds" not in second.stderr:
        problems.append(f"a second load exited {second.returncode}: {second.stderr.strip()[-500:]}")
    if (work / "second").exists():
        problems.append("the refused second load left a folder")
    count = int(pg.psql(f"SELECT count(*) FROM {table};", output_csv=True).splitlines()[-1])
    if count != len(reference):
        problems.append(f"after the refused load the table holds {count} rows, not {len(reference)}")
    pg.psql(f"DROP TABLE {table};")
    return problems


def mode_options(run: Run) -> list[str]:
    options = []
    if run.as_of:
        options += ["--as-of", run.as_of]
    if run.since:
        options += ["--since", run.since]
    if run.every != "week":
        options += ["--every", run.every]
    return options


def sql_command(segmentlab: Path, run: Run, data: LogData, dialect: str) -> list[str]:
    lg = data.log
    command = [str(segmentlab), "sql", "--taxonomy", lg.taxonomy, "--dialect", dialect]
    if run.segments:
        command += ["--segments", run.segments]
    command += mode_options(run)
    if lg.events_table != "events":
        command += ["--events-table", lg.events_table]
    if data.aliases_csv:
        command += ["--aliases-table", lg.aliases_table]
    if run.accounts:
        command += ["--accounts-table", lg.accounts_table]
    return command


def unescape(field: str) -> str:
    """A memberships.csv cell as the value it stands for: the CSV quoting is undone by the reader,
    and a cell a spreadsheet would run as a formula, or one starting with "'", was written with one
    "'" in front (CSVText.spreadsheetField), so one leading "'" is dropped."""
    return field[1:] if field.startswith("'") else field


def read_memberships(path: Path) -> list[tuple]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != COLUMNS:
            raise RuntimeError(f"{path}: header {header}, expected {COLUMNS}")
        return [tuple(unescape(v) for v in row) for row in reader]


# ---------------------------------------------------------------------------------------------
# Comparing

DATE = re.compile(r"\d{4}-\d\d-\d\d")


def contract_problems(result: Result, engine) -> list[str]:
    """The shape every query must have, whatever its rows."""
    problems = []
    if result.columns != COLUMNS:
        problems.append(f"columns {result.columns}, expected {COLUMNS}")
    bad_types = [f"{c} {t}" for c, t in zip(result.columns, result.types) if t not in engine.text_types]
    if bad_types:
        problems.append(f"columns that are not text: {', '.join(bad_types)}")
    width = len(COLUMNS)
    for i, name in enumerate(result.columns[:width]):
        nulls = sum(1 for r in result.rows if r[i] is None)
        if nulls:
            problems.append(f"{nulls} NULLs in {name} (expected '' at most)")
    if "date" in result.columns:
        i = result.columns.index("date")
        bad = [r[i] for r in result.rows if r[i] is None or not DATE.fullmatch(r[i])]
        if bad:
            problems.append(f"{len(bad)} dates not written YYYY-MM-DD, e.g. {bad[:3]}")
    return problems


def show(row: tuple | None) -> str:
    return "(no row)" if row is None else f"{row[0]},{row[1]},{row[2]},{row[3]},{row[4]}"


def compare(reference: list[tuple], rows: list[tuple], engine: str) -> list[str]:
    """Row by row, keyed by (user, date). Returns the report of the differences, empty when none."""
    ref = {(r[0], r[2]): r for r in reference}
    got: dict[tuple, tuple] = {}
    duplicated = collections.Counter()
    for r in rows:
        r = tuple("" if v is None else v for v in r[:5])
        key = (r[0], r[2])
        if key in got:
            duplicated[key] += 1
        got[key] = r
    keys = sorted(ref.keys() | got.keys())
    differing = [k for k in keys if ref.get(k) != got.get(k)]
    if not differing and not duplicated:
        return []
    only_ref = sum(1 for k in differing if k not in got)
    only_got = sum(1 for k in differing if k not in ref)
    lines = [f"{len(differing)} (user, date) rows differ: segmentlab segment wrote {len(reference)} rows, {engine} "
             f"returned {len(rows)}; rows only in segmentlab: {only_ref}, only in {engine}: {only_got}, in both but "
             f"different: {len(differing) - only_ref - only_got}, (user, date) repeated in {engine}: "
             f"{sum(duplicated.values())}"]
    pairs = collections.Counter(
        (ref[k][3] if k in ref else "(no row)", got[k][3] if k in got else "(no row)") for k in differing)
    lines.append(f"segment (segmentlab -> {engine}), rows: " + ", ".join(
        f"{a} -> {b}: {n}" for (a, b), n in sorted(pairs.items(), key=lambda p: -p[1])[:12]))
    both = [k for k in differing if k in ref and k in got]
    tags = collections.Counter((ref[k][4], got[k][4]) for k in both if ref[k][4] != got[k][4])
    if tags:
        lines.append(f"tags differ on {sum(tags.values())} rows (segmentlab -> {engine}): " + ", ".join(
            f"'{a}' -> '{b}': {n}" for (a, b), n in tags.most_common(6)))
    accounts = sum(1 for k in both if ref[k][1] != got[k][1])
    if accounts:
        lines.append(f"account_id differs on {accounts} rows")
    by_date = collections.Counter(k[1] for k in differing)
    lines.append("differing rows by date: " + ", ".join(f"{d}: {n}" for d, n in sorted(by_date.items())[:12]))
    # Examples: users in both first (a wrong segment, tag or account), then users missing on one side.
    def users(keys):
        return list(dict.fromkeys(k[0] for k in keys))
    examples = dict.fromkeys(users(both)[:4] + users(k for k in differing if k not in got)[:2]
                             + users(k for k in differing if k not in ref)[:2])
    for user in examples:
        for k in [k for k in differing if k[0] == user][:2]:
            lines.append(f"  {user} on {k[1]}: segmentlab {show(ref.get(k))} | {engine} {show(got.get(k))}")
    for key, n in list(duplicated.items())[:3]:
        lines.append(f"  {key[0]} on {key[1]} appears {n + 1} times in {engine}'s rows")
    return lines


def write_rows(path: Path, columns: list[str], rows: list[tuple]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(sorted(tuple("" if v is None else v for v in r) for r in rows))


# ---------------------------------------------------------------------------------------------

def check_pins() -> None:
    """The engines here must be the versions the benchmark pins."""
    def pins(path: Path) -> dict:
        found = {}
        for line in path.read_text().splitlines():
            m = re.match(r"\s*([A-Za-z0-9_.-]+)==(\S+)", line)
            if m:
                found[m.group(1).lower()] = m.group(2)
        return found
    ours, theirs = pins(HERE / "requirements.txt"), pins(ROOT / "Benchmarks" / "engines" / "requirements.txt")
    differ = [f"{n} {ours[n]} here, {theirs[n]} in Benchmarks/engines" for n in ours.keys() & theirs.keys()
              if ours[n] != theirs[n]]
    if differ:
        sys.exit("Tests/SQL/requirements.txt and Benchmarks/engines/requirements.txt disagree: " + "; ".join(differ))


def has_sql_command(segmentlab: Path) -> bool:
    done = subprocess.run([str(segmentlab), "sql", "--help"], capture_output=True, text=True)
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segmentlab", type=Path, default=ROOT / ".build" / "debug" / "segmentlab")
    parser.add_argument("--postgres", type=Path, help="the folder of a server started by postgres.sh")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, of " + ", ".join(ENGINES))
    parser.add_argument("--cases", default="", help="only the runs whose name contains one of these (comma-separated)")
    parser.add_argument("--stand-in", action="store_true",
                        help="check the harness with standin.py's query instead of segmentlab sql (segments: "
                             "everyone occasional)")
    parser.add_argument("--work", type=Path, default=ROOT / ".build-sql" / "work",
                        help="scratch folder, emptied first; holds logs, queries and differing rows afterwards")
    parser.add_argument("--list", action="store_true", help="list the runs and exit")
    args = parser.parse_args()

    runs = RUNS
    if args.stand_in:
        runs = list(dict.fromkeys(Run(r.log, STANDIN_SEGMENTS, r.every, r.as_of, r.since, r.accounts) for r in runs))
    if args.cases:
        wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
        runs = [r for r in runs if any(w in r.name for w in wanted)]
    if args.list:
        for r in runs:
            log(r.name)
        return 0
    engines_wanted = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines_wanted) - set(ENGINES)
    if unknown:
        sys.exit(f"unknown engines: {', '.join(sorted(unknown))}")
    if "postgres" in engines_wanted and not args.postgres:
        sys.exit("--postgres DIR is needed for PostgreSQL (run.sh starts a server and passes it)")
    check_pins()
    if not args.segmentlab.exists():
        sys.exit(f"{args.segmentlab} is missing: build it first (make test-sql does)")
    if not args.stand_in and not has_sql_command(args.segmentlab):
        sys.exit(f"{args.segmentlab} has no 'sql' command: nothing to check yet (--stand-in checks the harness "
                 "itself with its own query)")

    start = time.perf_counter()
    marker = args.work / ".sql-checks-work"
    if args.work.exists() and any(args.work.iterdir()) and not marker.exists():
        sys.exit(f"{args.work} holds files this script did not write; give an empty or new --work folder")
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    marker.touch()
    os.environ["TZ"] = "UTC"
    time.tzset()

    engines = []
    for name in engines_wanted:
        engines.append(Postgres(args.postgres) if name == "postgres" else DuckDB() if name == "duckdb" else ClickHouse())
    log("engines: " + "; ".join(f"{e.name} {e.version()}" for e in engines))
    log(f"queries: {'the stand-in of standin.py' if args.stand_in else args.segmentlab.name + ' sql'}")

    failures: list[str] = []
    summary: list[tuple[str, str]] = []
    for lg in LOGS:
        log_runs = [r for r in runs if r.log == lg.name]
        if not log_runs:
            continue
        log()
        data = make_log(lg, args.segmentlab, args.work)
        for engine in engines:
            t = time.perf_counter()
            try:
                problems = check_load(engine, data, engine.load(data))
            except EngineError as e:
                problems = [f"load failed: {e}"]
            if problems:
                failures.append(f"{lg.name}: loading into {engine.name}")
                log(f"  LOAD {engine.name}: " + "; ".join(problems))
            else:
                log(f"  loaded into {engine.name} ({time.perf_counter() - t:.1f} s): every event, NULL and instant")
        for run in log_runs:
            folder = args.work / "runs" / re.sub(r"[^a-z0-9.-]+", "_", run.name.lower()).strip("_")
            folder.mkdir(parents=True)
            t = time.perf_counter()
            try:
                reference = segment(args.segmentlab, run, data, folder / "segmentlab")
            except RuntimeError as e:
                failures.append(f"{run.name}: segmentlab segment failed")
                log(f"{run.name}: segmentlab segment FAILED: {e}")
                summary.append((run.name, "segmentlab segment failed"))
                continue
            segments = collections.Counter(r[3] for r in reference)
            dates = sorted({r[2] for r in reference})
            log(f"{run.name}: {len(reference)} rows, {len({r[0] for r in reference})} users, {len(dates)} dates "
                f"({dates[0] if dates else '-'} to {dates[-1] if dates else '-'}); segments "
                + ", ".join(f"{s} {n}" for s, n in segments.most_common())
                + f" ({time.perf_counter() - t:.1f} s)")
            statuses = []
            for engine in engines:
                t = time.perf_counter()
                if args.stand_in:
                    sql = standin.query(engine.name, as_of=run.as_of, since=run.since,
                                        every=7 if run.every == "week" else 1, events=lg.events_table,
                                        aliases=lg.aliases_table if data.aliases_csv else None,
                                        accounts=lg.accounts_table if run.accounts else None)
                else:
                    try:
                        sql = run_checked(sql_command(args.segmentlab, run, data, engine.name))
                    except RuntimeError as e:
                        failures.append(f"{run.name}: {engine.name}: segmentlab sql failed")
                        log(f"  {engine.name}: FAILED to generate the query: {e}")
                        statuses.append(f"{engine.name} no query")
                        continue
                (folder / f"{engine.name}.sql").write_text(sql)
                try:
                    result = engine.query(sql)
                except EngineError as e:
                    failures.append(f"{run.name}: {engine.name}: the query failed")
                    log(f"  {engine.name}: the query FAILED ({shown(folder)}/{engine.name}.sql):\n    "
                        + str(e)[:3000].replace("\n", "\n    "))
                    statuses.append(f"{engine.name} error")
                    continue
                seconds = time.perf_counter() - t
                problems = contract_problems(result, engine)
                width = len(COLUMNS)
                rows = [tuple(r[:width]) for r in result.rows]
                differences = compare(reference, rows, engine.name)
                if problems or differences:
                    failures.append(f"{run.name}: {engine.name}")
                    write_rows(folder / f"{engine.name}.csv", result.columns, result.rows)
                    log(f"  {engine.name}: FAILED ({seconds:.1f} s; rows in "
                        f"{shown(folder)}/{engine.name}.csv)")
                    for line in problems + differences:
                        log(f"    {line}")
                    statuses.append(f"{engine.name} FAILED")
                else:
                    log(f"  {engine.name}: same {len(rows)} rows ({seconds:.1f} s)")
                    statuses.append(f"{engine.name} ok")
            summary.append((run.name, ", ".join(statuses)))
        postgres = next((e for e in engines if isinstance(e, Postgres)), None)
        if postgres and lg.name == "saas" and not args.stand_in:
            name = f"{lg.name} / segment --to postgres"
            problems = check_to_table(args.segmentlab, postgres, data, args.work / "runs" / "to-postgres")
            for line in problems:
                log(f"  {line}")
            if problems:
                failures.append(name)
            else:
                log(f"{name}: the table holds memberships.csv, and a second load is refused")
            summary.append((name, "FAILED" if problems else "ok"))

    for engine in engines:
        engine.close()
    log()
    width = max((len(n) for n, _ in summary), default=0)
    for name, status in summary:
        log(f"{name.ljust(width)}  {status}")
    elapsed = time.perf_counter() - start
    if failures:
        log(f"\nSQL checks FAILED ({len(failures)} of {len(summary) * len(engines)} checks, {elapsed:.0f} s); "
            f"queries and differing rows are in {shown(args.work)}/runs/")
        return 1
    log(f"\nSQL checks passed: {len(summary)} runs on {', '.join(e.name for e in engines)}, every row the same "
        f"({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
