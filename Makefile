# The two commands a newcomer needs are `make run` and `make test` (see README.md).
.PHONY: run test bench fmt clean deps build-release build-debug asan fuzz

JOBS ?= $(shell nproc)
HERMOD_DATA ?= ./var

deps:
	@scripts/install-deps

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

## run: build (release) and start the server on the embedded default configuration
run: build-release
	./build/release/src/hermod serve --data $(HERMOD_DATA)

## test: build (debug) and run every test through ctest
test: build-debug
	ctest --preset debug -j $(JOBS)

## bench: the benchmarks under bench/ (figures go to docs/performance.md)
bench: build-release
	bench/run-all

## asan: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

## fuzz: build the libFuzzer targets with clang (run them from build/fuzz/tests/fuzz/)
fuzz:
	@scripts/install-deps clang libclang-rt-14-dev
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

## fmt: format the sources with the repository's .clang-format
fmt:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
