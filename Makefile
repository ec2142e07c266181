# LayerFs — build, test, demo, bench. See README.md.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
PREFIX ?= /usr/local
OUT := out
CLI := $(OUT)/layerfs/layerfs
# The CLI is published as native code (Native AOT) for this machine.
RID ?= linux-$(shell uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
DEBS_BUILD := fuse3 busybox-static zstd
DEBS_TEST := fuse3 umoci skopeo busybox-static zstd attr fuse-overlayfs bindfs squashfs-tools python3 jq debootstrap
DEBS_BENCH := $(DEBS_TEST) squashfuse archivemount hyperfine fio

.PHONY: all build test demo install uninstall bench stress fuzz test-dm deps deps-test deps-bench example clean

all: build

# Installs only what is missing (apt-get is idempotent, but update is slow, so skip it when nothing is needed).
deps deps-test deps-bench: 
	@pkgs="$(if $(filter deps-bench,$@),$(DEBS_BENCH),$(if $(filter deps-test,$@),$(DEBS_TEST),$(DEBS_BUILD)))"; \
	missing=$$(for p in $$pkgs; do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	command -v $(DOTNET) >/dev/null || { echo "the .NET 10 SDK is required (dotnet on PATH)"; exit 1; }

build:
	$(DOTNET) build LayerFs.sln -c $(CONFIG) -nologo -v q
	rm -rf $(OUT)/layerfs
	$(DOTNET) publish src/LayerFs.Cli/LayerFs.Cli.csproj -c $(CONFIG) -r $(RID) -nologo -v q -o $(OUT)/layerfs

test: deps-test build example
	@bash tests/run-tests.sh $(CONFIG)

# The devicemapper snapshotter, tested for real in a qemu guest with device-mapper (this kernel has
# none): two boots of ../shared/vm/run-in-vm on one store disk (tests/dm/run.sh).
test-dm: build example
	@bash tests/dm/run.sh

# The example image: a busybox rootfs from Debian's busybox-static, packed as an OCI layout.
example: deps
	@bash examples/busybox/build.sh examples/busybox/out

demo: deps build example
	@bash examples/demo.sh $(CLI)

install: build
	install -d $(PREFIX)/lib/layerfs $(PREFIX)/bin /sbin
	cp -a $(OUT)/layerfs/. $(PREFIX)/lib/layerfs/
	ln -sf $(PREFIX)/lib/layerfs/layerfs $(PREFIX)/bin/layerfs
	ln -sf $(PREFIX)/lib/layerfs/layerfs /sbin/mount.fuse.layerfs

uninstall:
	rm -rf $(PREFIX)/lib/layerfs $(PREFIX)/bin/layerfs /sbin/mount.fuse.layerfs

# The image workloads (W1-W10 against native, overlayfs, fuse-overlayfs, squashfuse, archivemount, umoci),
# then the FUSE binding's own loopback example against native and bindfs (issue 3), in the same run.
bench: deps-bench build
	@bash tests/bench/run.sh $(if $(QUICK),--quick)
	@mkdir -p bench-results/latest && bash tests/bench/fuse-loopback.sh $(if $(QUICK),--quick) --out bench-results/latest/fuse-loopback.md

# Fuzzing with AFL++ over SharpFuzz-instrumented assemblies; FUZZ_SECONDS per target.
fuzz: build
	@bash tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60)

# The long versions of the robustness tests: 50 kills during a Debian import, more kills of rmi, tag
# and prune, and STRESS_SECONDS (default 180) of reads, walks, imports, tags, rmi and prune at once
# on the Debian image; then the daemon killed mid-read and the lease tests. The Debian image is
# built once into the cache the mount tests use (make-corpus writes SHA256SUMS last).
DEBIAN_CACHE ?= /var/tmp/layerfs-test-corpus/build
stress: build
	@test -f $(DEBIAN_CACHE)/SHA256SUMS || { rm -rf $(DEBIAN_CACHE) && ../shared/corpus/make-corpus --only debian $(DEBIAN_CACHE); }
	LAYERFS_CRASH_KILLS=50 LAYERFS_CRASH_IMAGE=$(or $(CRASH_IMAGE),$(DEBIAN_CACHE)/debian) LAYERFS_CRASH_COMMAND_KILLS=25 \
	  $(DOTNET) test tests/LayerFs.Cli.Tests -c $(CONFIG) --no-build --filter "FullyQualifiedName~CrashTests" --logger "console;verbosity=detailed"
	LAYERFS_STRESS_SECONDS=$(or $(STRESS_SECONDS),180) \
	  $(DOTNET) test tests/LayerFs.Mount.Tests -c $(CONFIG) --no-build --filter "FullyQualifiedName~StressTests|FullyQualifiedName~DaemonCrashTests|FullyQualifiedName~LeaseTests" --logger "console;verbosity=detailed"

clean:
	rm -rf $(OUT) src/*/bin src/*/obj tests/*/bin tests/*/obj examples/*/bin examples/*/obj examples/busybox/out
