# The two commands of the README:
#   make demo   installs what is missing, builds reprise and runs the examples
#   make test   installs what is missing, builds a Release and an ASan+UBSan
#               configuration and runs every test in both, then fuzzes the
#               trace reader for a bounded number of runs (make fuzz)
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
# A bounded fuzz run: ~1 minute on 2 cores; the time limit is a safety net.
FUZZ_RUNS  ?= 200000
FUZZ_TIME  ?= 110

.PHONY: deps build demo test test-release test-asan test-fuzz fuzz clean

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPRISE_WERROR=ON
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash examples/demo.sh $(BUILD)

test-release: build
	ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DREPRISE_SANITIZE=ON -DREPRISE_WERROR=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  ctest --test-dir $(ASAN_BUILD) -j $(JOBS) --output-on-failure

# The fuzz build uses clang (libFuzzer) and builds only the harnesses and what
# they link. Its corpus grows in $(FUZZ_BUILD)/corpus from one run to the next;
# the seeds are written afresh each time.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREPRISE_FUZZ=ON -DREPRISE_TESTS=OFF \
	  -DREPRISE_WERROR=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target reprise_trace_fuzz reprise_trace_seeds
	rm -rf $(FUZZ_BUILD)/seeds
	mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BUILD)/fuzz/reprise_trace_seeds $(FUZZ_BUILD)/seeds
	$(FUZZ_BUILD)/fuzz/reprise_trace_fuzz -runs=$(FUZZ_RUNS) \
	  -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 -seed=1 \
	  -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/ \
	  $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/seeds

test-fuzz: fuzz

test: test-release test-asan test-fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
