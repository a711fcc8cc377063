#!/usr/bin/env bash
# Builds HashiCorp's packer-plugin-qemu v1.1.7, unchanged but for one line
# of its go.mod, into .cache/qemuplugin/HASH/packer-plugin-qemu (HASH being
# that of this script), for the end-to-end test that builds the test
# machine with it. Its source and dependencies come from the Go module
# proxy. v1.1.7 asks for packer-plugin-sdk v0.6.11, which the proxy does not
# serve, so it is built with v0.6.10 (what Packer v1.16 itself pins; the
# wire is the same). Slow the first time (about ten minutes on two busy
# cores); the result is renamed into place whole. The last line of
# standard output is the binary's path; progress goes to standard error.
set -euo pipefail

script="$(readlink -f "${BASH_SOURCE[0]}")"
repo="$(cd "$(dirname "${script}")/../.." && pwd)"
hash="$(sha256sum "${script}" | cut -c1-16)"
out="${repo}/.cache/qemuplugin/${hash}"
bin="${out}/packer-plugin-qemu"
if [[ -x "${bin}" ]]; then
	echo "${bin}"
	exit 0
fi
mkdir -p "$(dirname "${out}")"
work="$(mktemp -d "$(dirname "${out}")/.build-XXXXXX")"
trap 'chmod -R u+w "${work}" 2>/dev/null; rm -rf "${work}"' EXIT
echo "qemuplugin: fetching github.com/hashicorp/packer-plugin-qemu v1.1.7 from the module proxy" >&2
src="$(cd "${work}" && GOFLAGS=-mod=mod go mod download -json github.com/hashicorp/packer-plugin-qemu@v1.1.7 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "${src}" ]] || { echo "qemuplugin: the module proxy gave no source directory" >&2; exit 1; }
cp -r "${src}" "${work}/src"
chmod -R u+w "${work}/src"
cd "${work}/src"
go mod edit -require=github.com/hashicorp/packer-plugin-sdk@v0.6.10
echo "qemuplugin: building it with packer-plugin-sdk v0.6.10 (once; several minutes)" >&2
CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "${work}/out/packer-plugin-qemu" . >&2
mv "${work}/out" "${out}" 2>/dev/null || test -x "${bin}"
echo "${bin}"
