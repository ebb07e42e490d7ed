# parley: make test runs everything CI runs; make bench the benchmarks with their ratios.
GO        ?= go
PKGS      ?= ./...
BENCHTIME ?= 1s
COUNT     ?= 3
STATICCHECK_VERSION ?= v0.8.2

IMAGE     ?= parley.local/parley
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

# Containers offline: no Ryuk (an image to pull; parley removes what it creates), and the engine's
# ports on localhost when the tests themselves run in a container. The container tests are part of
# `make test`; with CI=true a missing Docker engine fails them instead of skipping them.
export TESTCONTAINERS_RYUK_DISABLED ?= true
ifneq ($(wildcard /.dockerenv),)
export TESTCONTAINERS_HOST_OVERRIDE ?= localhost
endif

.PHONY: test vet unit build bench lint fuzz fuzz-short soak clean images clean-containers

test: vet unit fuzz-short

# parleycontainer is a Go module of its own, which `./...` from the root does not enter.
vet:
	$(GO) vet $(PKGS)
	cd parleycontainer && $(GO) vet ./...

unit:
	$(GO) test -race -timeout 10m $(PKGS)
	cd parleycontainer && $(GO) test -race -timeout 10m ./...

# Fuzzing (docs/reliability.md): `make test` runs each target that parses what crosses the mocks for
# FUZZ_SHORT; `make fuzz` runs every target for FUZZTIME. A failure keeps its input under the package's
# testdata/fuzz/, which plain `go test` then replays.
FUZZ_SHORT ?= 3s
FUZZTIME   ?= 10m

fuzz-short:
	FUZZSET=short FUZZTIME=$(FUZZ_SHORT) GO=$(GO) scripts/fuzz.sh

fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

# Soak: the fault, timeout and goroutine-leak tests many times over under the race detector, then
# load.TestSoak with many customers, with the race detector (a fifth, arriving at 100/s) and without it.
SOAK_COUNT     ?= 20
SOAK_CUSTOMERS ?= 10000

soak:
	$(GO) test -race -count $(SOAK_COUNT) -timeout 30m -run 'TestFaults|NoGoroutines|TestWebhookTimeout|TestWebhookTLS' ./harness/... ./mocks/...
	PARLEY_SOAK=$$(( $(SOAK_CUSTOMERS) / 5 )) PARLEY_SOAK_RATE=100 $(GO) test -race -count 1 -timeout 30m -v -run 'TestSoak$$' ./load
	PARLEY_SOAK=$(SOAK_CUSTOMERS) $(GO) test -count 1 -timeout 30m -v -run 'TestSoak$$' ./load

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/parley ./cmd/parley

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) $(PKGS) | tee bench.txt
	@awk '/^BenchmarkSend\/bare/ {b += $$3; nb++} /^BenchmarkSend\/mock/ {m += $$3; nm++} \
		/^BenchmarkSendRatio/ {for (i = 1; i < NF; i++) if ($$(i+1) == "mock/bare") {r += $$i; nr++}} \
		END {if (nb && nm) printf "WhatsApp send path: %.2f of the bare net/http handler (mean ns/op %.0f vs %.0f; target >= 0.60)\n", (b/nb)/(m/nm), m/nm, b/nb; \
		     if (nr) printf "WhatsApp send path, interleaved with the bare handler: %.2f (mean of %d runs; target >= 0.60)\n", r/nr, nr}' bench.txt
	@awk 'function m(u,  i) {for (i = 3; i < NF; i++) if ($$(i+1) == u) return $$i; return ""} \
		function add(k, x) {sum[k] += x; n[k]++; if (!(k in lo) || x < lo[k]) lo[k] = x; if (!(k in hi) || x > hi[k]) hi[k] = x} \
		function r(k, f) {return sprintf(f "–" f " (mean " f ", %d runs)", lo[k], hi[k], sum[k]/n[k], n[k])} \
		/^BenchmarkTurn/ {add("turn", m("turn/bare")); tu += m("µs/turn"); bu += m("µs/bare")} \
		/^BenchmarkSuite-/ {s += m("s/suite"); sc += m("scenarios/s"); sf += m("failed"); ns++} \
		/^BenchmarkCertify-/ {add("cert", m("s/suite")); cc += m("certified")} \
		/^BenchmarkSuiteByURL\/parallel=/ {split($$1, p, /[=-]/); u[p[2]] += m("s/suite"); uc[p[2]] += m("certified"); nu[p[2]]++} \
		/^BenchmarkSuiteInContainers/ {k += m("s/suite"); kc += m("certified"); nk++} \
		/^BenchmarkContainersWarmStart/ {add("warm", m("s/start"))} \
		/^BenchmarkJourneysContainersVsEmbedded/ {add("five", m("containers/embedded")); add("fiveplay", m("play/embedded")); fc += m("s/containers"); fe += m("s/embedded")} \
		/^BenchmarkRun-/ {add("run", $$3/1e9); add("runmb", m("B/op")/1048576)} \
		/^BenchmarkRunInProcess/ {add("inproc", $$3/1e9); add("inprocmb", m("B/op")/1048576)} \
		/^BenchmarkRecordMemory/ {j += m("B/event"); nj++} \
		END {if (n["turn"]) printf "Full turn: %s x its bare loopback round trips (%.0f vs %.0f µs; target <= 2.00x)\n", r("turn", "%.2f"), tu/n["turn"], bu/n["turn"]; \
		     if (n["cert"]) printf "Certification suite (parley certify, embedded, warm): %s s, certified in %d of %d runs (target < 1 s)\n", r("cert", "%.2f"), cc, n["cert"]; \
		     if (ns) printf "Certification suite (Go journeys, embedded): %.2f s, %.1f scenarios/s, %.0f failed (mean of %d runs; target < 3 s)\n", s/ns, sc/ns, sf/ns, ns; \
		     for (q in u) printf "Certification suite by URL (reference assistant over HTTPS, %s at once): %.1f s, certified in %d of %d runs (target < 30 s)\n", q, u[q]/nu[q], uc[q], nu[q]; \
		     if (nk) printf "Certification suite in containers (start-ups included): %.1f s, certified in %d of %d runs (target < 60 s)\n", k/nk, kc, nk; \
		     if (n["warm"]) printf "Containers, warm start to healthy (image reused): %s s (target < 3 s)\n", r("warm", "%.2f"); \
		     if (n["five"]) printf "Five journeys in containers vs embedded: %s times as long (means: containers %.1f s, embedded %.2f s; the play alone %s times) (target <= 3x)\n", r("five", "%.1f"), fc/n["five"], fe/n["five"], r("fiveplay", "%.1f"); \
		     if (n["run"]) printf "Auditor, 1,000,000 events from JSON: %s s, %s MiB allocated (target < 2 s, < 512 MiB)\n", r("run", "%.2f"), r("runmb", "%.0f"); \
		     if (n["inproc"]) printf "Auditor, 1,000,000 events in process: %s s, %s MiB allocated (target < 1 s)\n", r("inproc", "%.2f"), r("inprocmb", "%.0f"); \
		     if (nj) printf "Journal: %.0f bytes per event (mean of %d runs; target < 1024)\n", j/nj, nj}' bench.txt
	@uptime
	@echo "(figures depend on the machine's load: see docs/performance.md)"

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

# images builds parley.local/parley:dev and :$(VERSION) FROM scratch around the static binary, with the
# classic builder (nothing is pulled), or reuses the image that already holds this exact binary. The
# binary is built as BuildImage in harness/containers builds it, so both find the same bin-<hash> image.
images:
	@mkdir -p bin/image
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags "-s -w -X main.version=devel" -o bin/image/parley ./cmd/parley
	@sum=$$(sha256sum bin/image/parley | cut -c1-64); ref=$(IMAGE):bin-$$(echo $$sum | cut -c1-12); \
	if [ "$$(docker image inspect -f '{{index .Config.Labels "dev.parley.binary-sha256"}}' $$ref 2>/dev/null)" = "$$sum" ]; then \
		echo "reusing $$ref"; \
	else \
		DOCKER_BUILDKIT=0 docker build -q -f Dockerfile --label dev.parley.binary-sha256=$$sum --label dev.parley.managed=true \
			--label org.opencontainers.image.version=$(VERSION) -t $$ref bin/image || exit 1; \
	fi; \
	docker tag $$ref $(IMAGE):dev && docker tag $$ref $(IMAGE):$(VERSION) && echo "$$ref = $(IMAGE):dev = $(IMAGE):$(VERSION)"

# clean-containers removes every container and network parley labelled (what a killed run left).
clean-containers:
	-docker rm -f $$(docker ps -aq --filter label=dev.parley.managed=true) 2>/dev/null
	-docker network rm $$(docker network ls -q --filter label=dev.parley.managed=true) 2>/dev/null

clean:
	rm -rf bin bench.txt
