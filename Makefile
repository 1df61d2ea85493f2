# SegmentLab: `make demo` runs the default scenario, `make test` runs the tests.
# Both first install what is missing (libgsl-dev, pkg-config) with apt-get.

SWIFT ?= swift
SCENARIO ?= scenarios/saas-default.yaml
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

GALLERY := saas-default reengagement experiment-check

REPORT ?= reports/gallery/saas-default/report.html

.PHONY: demo test bench reports check-report deps

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists gsl; then \
		echo "installing libgsl-dev and pkg-config with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libgsl-dev pkg-config; \
	fi

demo: deps
	$(SWIFT) build -c release --product segmentlab
	.build/release/segmentlab run $(SCENARIO)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The committed example reports: one per scenario, in reports/gallery/<scenario>/.
reports: deps
	$(SWIFT) build -c release --product segmentlab
	@for s in $(GALLERY); do .build/release/segmentlab run scenarios/$$s.yaml --out reports/gallery/$$s || exit 1; done

# Renders a report in headless Chromium (Debian package chromium) to a PNG beside it and fails on
# console errors, empty sections or charts without a title.
check-report:
	.ci/check-report $(REPORT)

bench: deps
	$(SWIFT) build -c release --product SimulationBenchmark
	.build/release/SimulationBenchmark $(SCENARIO)
