# SegmentLab: `make demo` runs the default scenario, `make test` runs the tests.
# Both first install what is missing (libgsl-dev, pkg-config) with apt-get.

SWIFT ?= swift
SCENARIO ?= scenarios/saas-default.yaml
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

GALLERY := saas-default reengagement onboarding trial-to-paid declining-usage feature-discovery feedback expansion b2b-accounts over-messaging tracking-gaps mobile-habit devtool-teams

REPORT ?= reports/gallery/saas-default/report.html

.PHONY: demo test test-sql test-slurm test-kubernetes bench engines cdnow reports check-report deps fuzz format format-check

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists gsl; then \
		echo "installing libgsl-dev and pkg-config with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libgsl-dev pkg-config; \
	fi

demo: deps
	$(SWIFT) build -c release --product segmentlab
	.build/release/segmentlab run $(SCENARIO)

# The Swift tests, then the query of `segmentlab sql` on a throwaway PostgreSQL server and in DuckDB against
# `segmentlab segment` (Tests/SQL/README.md); `make test-sql` adds ClickHouse (chDB), which CI runs too.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	Tests/SQL/run.sh --engines postgres,duckdb

# The SQL of `segmentlab sql` run on PostgreSQL (a throwaway server; Debian's postgresql is installed when
# missing), DuckDB and chDB, checked row by row against `segmentlab segment` (Tests/SQL/README.md). The engines
# go into a virtual environment in .build-sql/; options through SQL_ARGS, e.g. make test-sql SQL_ARGS="--engines duckdb".
SQL_ARGS ?=

test-sql: deps
	$(SWIFT) build --product segmentlab
	Tests/SQL/run.sh $(SQL_ARGS)

# A run as four shards and a merge through a real, throwaway single-node Slurm (Debian's slurm-wlm and munge,
# installed when missing), checked byte for byte against the same run in one process (docs/shards.md).
test-slurm: deps
	$(SWIFT) build -c release --product segmentlab
	deploy/slurm/test

# The Kubernetes manifests in deploy/kubernetes/ checked against the API schemas (PyPI kubernetes-validate, in a
# virtual environment in .build-kubernetes/) and against each other; there is no cluster here.
test-kubernetes:
	deploy/kubernetes/test

# The committed example reports: one per scenario, in reports/gallery/<scenario>/ (experiment-check with
# 200 replicates, for the table of every method against the true effect), and the reduced run the tests
# compare a fresh run with (Tests/Fixtures/reduced-run).
reports: deps
	$(SWIFT) build -c release --product segmentlab
	@for s in $(GALLERY); do .build/release/segmentlab run scenarios/$$s.yaml --out reports/gallery/$$s || exit 1; done
	.build/release/segmentlab run scenarios/experiment-check.yaml --replicates 200 --out reports/gallery/experiment-check
	.build/release/segmentlab compare reports/gallery/saas-default reports/gallery/reengagement --out reports/gallery/compare-saas-default-reengagement
	.build/release/segmentlab sweep scenarios/reengagement.yaml --vary interventions.policies.dormant_email.cooldown_days=0,7,28 --vary interventions.policies.dormant_email.effect.days=14,28 --budget 90 --out reports/gallery/sweep-reengagement
	.build/release/segmentlab sweep scenarios/b2b-accounts.yaml --vary interventions.experiment.randomise=user,account --replicates 20 --out reports/gallery/sweep-b2b-accounts
	rm -rf .build-reports/tracking-gaps && mkdir -p .build-reports/tracking-gaps
	.build/release/segmentlab simulate scenarios/tracking-gaps.yaml --faithful --events-out .build-reports/tracking-gaps/faithful.csv --assignments-out .build-reports/tracking-gaps/assignments.csv
	.build/release/segmentlab simulate scenarios/tracking-gaps.yaml --events-out .build-reports/tracking-gaps/faulty.csv
	@for log in faithful faulty; do .build/release/segmentlab evaluate --events .build-reports/tracking-gaps/$$log.csv --taxonomy scenarios/example-taxonomy.yaml --cutoff 2026-08-13 --assignments .build-reports/tracking-gaps/assignments.csv --outcome-days 60 --out reports/gallery/tracking-gaps-$$log-log || exit 1; done
	rm -rf .build-reports/tracking-gaps
	rm -rf .build-reports/twin && mkdir -p .build-reports/twin
	.build/release/segmentlab simulate scenarios/saas-default.yaml --faithful --events-out .build-reports/twin/saas-default.csv
	rm -f reports/gallery/saas-default-twin.yaml
	.build/release/segmentlab fit --events .build-reports/twin/saas-default.csv --taxonomy scenarios/example-taxonomy.yaml --out reports/gallery/saas-default-twin.yaml
	.build/release/segmentlab twin --events .build-reports/twin/saas-default.csv --taxonomy scenarios/example-taxonomy.yaml --scenario reports/gallery/saas-default-twin.yaml --out reports/gallery/saas-default-twin
	rm -rf .build-reports/twin
	.build/release/segmentlab sweep scenarios/over-messaging.yaml --vary interventions.channels.email.cap.messages=1,2,3,5 --replicates 5 --out reports/gallery/sweep-over-messaging
	.build/release/segmentlab run scenarios/saas-default.yaml --users 3000 --days 90 --out Tests/Fixtures/reduced-run

# Source layout as .swift-format says (swift format ships with the toolchain): `format` rewrites the files,
# `format-check` fails on any difference and runs in CI.
FORMAT_PATHS := Sources Tests Benchmarks Fuzz/Sources Package.swift Fuzz/Package.swift

format:
	$(SWIFT) format format -i -r $(FORMAT_PATHS)

format-check:
	$(SWIFT) format lint --strict -r $(FORMAT_PATHS)

# Renders a report in headless Chromium (Debian package chromium) to a PNG beside it and fails on
# console errors, empty sections or charts without a title.
check-report:
	.ci/check-report $(REPORT)

# Speed and memory figures as JSON lines (Benchmarks/SimulationBenchmark): the day loop at 1 and 2 threads
# beside the minimal reference loop, whole runs of 10 000 to 1 M users and of the 5 M-user scale scenario
# (Benchmarks/scale.yaml), a 10 M-event log written and segmented as CSV and JSONL, each with its peak memory
# and the memory it estimated; then an EM fit of the hidden Markov model of docs/fitting.md on 100 000 simulated
# users × 365 days (Benchmarks/FitBenchmark), and `segmentlab fit` of a 100 000-user log of the default scenario
# (Benchmarks/fit-log.sh, 12 GB written and deleted). Scratch files go to .build-bench/.
# BENCH_ARGS=--large adds the 10 M-user run and a year-long log of 2 M users (about 110 M events, 9.4 GB) segmented.
BENCH_ARGS ?=

bench: deps
	$(SWIFT) build -c release --product SimulationBenchmark
	$(SWIFT) build -c release --product segmentlab
	$(SWIFT) build -c release --product FitBenchmark
	.build/release/SimulationBenchmark $(SCENARIO) $(BENCH_ARGS)
	.build/release/FitBenchmark --threads 2
	Benchmarks/fit-log.sh $(SCENARIO)

# Churn prediction on a real purchase log, the CDNOW master file (23 570 customers; fetched from PyPI's lifetimes
# wheel into .build-cdnow/, checked against its hash): the logistic model beside BG/NBD and Pareto/NBD, with DeLong
# intervals (Benchmarks/cdnow/run.sh).
cdnow: deps
	$(SWIFT) build -c release --product segmentlab
	Benchmarks/cdnow/run.sh

# `segmentlab segment` against DuckDB, Polars and chDB on a simulated log of 10 M events, with a check that
# every user gets the same segment (Benchmarks/engines/README.md). The engines go into a virtual
# environment in .build-engines/; options through ENGINES_ARGS, e.g. make engines ENGINES_ARGS="--runs 1".
ENGINES_ARGS ?=

engines: deps
	$(SWIFT) build -c release --product segmentlab
	Benchmarks/engines/run.sh $(ENGINES_ARGS)

# Fuzzing (docs/fuzzing.md): the package in Fuzz/, built with libFuzzer and AddressSanitizer into .build-fuzz/.
# Each target runs FUZZ_SECONDS on a working corpus in .build-fuzz/corpus/<target>, seeded read-only from
# Fuzz/Corpus/<target> and the example files in scenarios/; findings go to .build-fuzz/artifacts/<target>/ and make the run fail.
# One target for a short while: make fuzz FUZZ_TARGETS=FuzzCSV FUZZ_SECONDS=30
FUZZ_TARGETS ?= FuzzScenario FuzzTaxonomy FuzzCSV FuzzJSONL
FUZZ_SECONDS ?= 600
FUZZ_ARGS ?=
FUZZ_BUILD := .build-fuzz
FUZZ_SWIFTFLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library

fuzz: deps
	@for t in $(FUZZ_TARGETS); do \
		$(SWIFT) build -c release --package-path Fuzz --scratch-path $(FUZZ_BUILD) $(FUZZ_SWIFTFLAGS) --product $$t \
			|| exit 1; \
	done
	@failed=""; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_BUILD)/release/$$t $(FUZZ_BUILD)/corpus/$$t Fuzz/Corpus/$$t scenarios -dict=Fuzz/Dictionaries/$$t.dict \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ -print_final_stats=1 $(FUZZ_ARGS) \
			|| failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in$$failed (see $(FUZZ_BUILD)/artifacts/)"; exit 1; fi
