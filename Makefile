# credit-risk: the training pipeline (credit-risk) and the scoring API
# (credit-risk-api). `make test` is the test command CI runs.

# Recipes run in bash with pipefail: a pipeline fails when any part does.
SHELL      := /bin/bash
.SHELLFLAGS := -o pipefail -ec

GO         ?= go
STATICCHECK_VERSION := v0.8.2
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS    := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
BIN        := bin

.PHONY: all build test check fmt vet staticcheck bench demo clean images container-e2e k8s-check

all: check test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/credit-risk ./cmd/credit-risk
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/credit-risk-api ./cmd/credit-risk-api

# test runs every test and prints go test's package lines, the full output
# of failing tests, the skipped tests by reason and, last, the line
# "N passed, N failed, N skipped". It fails when go test does.
test:
	$(GO) build -o $(BIN)/testsummary ./tools/testsummary
	$(GO) test -json ./... | $(BIN)/testsummary

check: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# demo runs the main job (a full retrain) on synthetic data in ./demo: the
# champion alias lands in demo/models, the report in demo/artifacts/reports.
demo: build
	mkdir -p demo/data/raw
	$(BIN)/credit-risk sample-data --rows 50000 --seed 1 --out demo/data/raw/loans.csv
	cd demo && ../$(BIN)/credit-risk validate && ../$(BIN)/credit-risk retrain
	@report=$$(ls -t demo/artifacts/reports/*/report.html | head -n 1); \
	echo; \
	echo "Demo results, in demo/:"; \
	echo "  champion  demo/models/production.model -> $$(readlink demo/models/production.model)"; \
	echo "  registry  demo/artifacts/registry/registry.json"; \
	echo "  report    $$report"; \
	echo "Open the report in a browser:  xdg-open $$report   (macOS: open $$report)"; \
	echo "List the models:               $(BIN)/credit-risk models list --artifacts-dir demo/artifacts --models-dir demo/models"; \
	echo "Score the sample file:         $(BIN)/credit-risk score --model demo/models/production.model --in demo/data/raw/loans.csv --out demo/scores.csv"

# images builds credit-risk-api:latest and credit-risk-train:latest (see the
# README's Containers section for machines without a registry).
images:
	bash scripts/build-images.sh

container-e2e:
	bash scripts/container-e2e.sh

k8s-check:
	$(GO) test ./internal/deploytest

clean:
	rm -rf $(BIN) demo
