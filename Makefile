# parley: make test runs everything CI runs; make bench the benchmarks with their ratios.
GO        ?= go
PKGS      ?= ./...
BENCHTIME ?= 1s
COUNT     ?= 3
STATICCHECK_VERSION ?= v0.8.2

export TESTCONTAINERS_RYUK_DISABLED ?= true

.PHONY: test vet unit build bench lint fuzz clean

test: vet unit

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -race -timeout 10m $(PKGS)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/parley ./cmd/parley

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) $(PKGS) | tee bench.txt
	@awk '/^BenchmarkSend\/bare/ {b += $$3; nb++} /^BenchmarkSend\/mock/ {m += $$3; nm++} \
		/^BenchmarkSendRatio/ {for (i = 1; i < NF; i++) if ($$(i+1) == "mock/bare") {r += $$i; nr++}} \
		END {if (nb && nm) printf "WhatsApp send path: %.2f of the bare net/http handler (mean ns/op %.0f vs %.0f; target >= 0.60)\n", (b/nb)/(m/nm), m/nm, b/nb; \
		     if (nr) printf "WhatsApp send path, interleaved with the bare handler: %.2f (mean of %d runs; target >= 0.60)\n", r/nr, nr}' bench.txt

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

clean:
	rm -rf bin bench.txt
