# Build, test and release Packer with the Go toolchain alone.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
LDFLAGS := -X github.com/packer-classic/packer/packer.Version=$(VERSION)

.PHONY: default dev test test-deps vet bench dist clean

default: dev

# dev builds bin/packer for this machine.
dev:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/packer .

vet:
	$(GO) vet ./...

# test-deps installs what the tests need beyond Go (qemu, sshd, ...; the
# list is .ci/packages) when run as root, and warns loudly of what will skip.
test-deps:
	@.ci/install-deps

# test runs vet and the whole suite with the race detector. The timeout is a
# hang guard far above the suite's few minutes, even on a busy 2-core machine.
test: test-deps vet
	$(GO) test -race -count=1 -timeout 40m ./...

# bench runs the hot-path benchmarks of rpc/, then the side-by-side
# comparison with hashicorp/go-plugin and the bare floor (bench/, its own
# module, so go-plugin never becomes a dependency of packer).
bench: dev
	$(GO) test -run='^$$' -bench=. ./rpc/ ./plugin/
	cd bench && $(GO) build -o ../bin/bench/ ./plugins/... ./cmd/bench
	bin/bench/bench -bin $(CURDIR)/bin/bench -packer $(CURDIR)/bin/packer

dist:
	@rm -rf pkg && mkdir -p pkg
	@for os in linux darwin windows; do for arch in amd64 arm64; do \
		ext=; [ $$os = windows ] && ext=.exe; \
		echo "building pkg/packer_$(VERSION)_$${os}_$${arch}/packer$$ext"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" \
			-o pkg/packer_$(VERSION)_$${os}_$${arch}/packer$$ext . || exit 1; \
	done; done
	@cd pkg && find . -type f -name 'packer*' | sort | xargs sha256sum > SHA256SUMS
	@echo "wrote pkg/SHA256SUMS"

clean:
	rm -rf bin pkg
