#!/usr/bin/env bash
# Builds the SDK fixture plugin (this directory, a Go module of its own that
# requires github.com/hashicorp/packer-plugin-sdk from the Go module proxy)
# into .cache/sdkplugin/HASH/packer-plugin-fixture, HASH being that of its
# sources, so an unchanged fixture is built once.
#
# Usage: testdata/sdkplugin/build.sh [VARIANT]
#
# VARIANT names a directory under variants/ holding another go.mod and
# go.sum for the same sources: the fixture built with an older SDK
# (variants/sdk-v0.5.4). The build runs in a temporary copy, so the
# repository is never written to; the result is renamed into place whole.
# The last line of standard output is the binary's path; progress goes to
# standard error.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
variant="${1:-}"
mods="${here}"
if [[ -n "${variant}" ]]; then
	mods="${here}/variants/${variant}"
	[[ -f "${mods}/go.mod" ]] || { echo "sdkplugin: no variant ${variant} (no ${mods}/go.mod)" >&2; exit 1; }
fi
hash="$(cat "${here}"/*.go "${here}/build.sh" "${mods}/go.mod" "${mods}/go.sum" | sha256sum | cut -c1-16)"
out="${repo}/.cache/sdkplugin/${variant:-sdk-default}-${hash}"
bin="${out}/packer-plugin-fixture"
if [[ -x "${bin}" ]]; then
	echo "${bin}"
	exit 0
fi
mkdir -p "$(dirname "${out}")"
work="$(mktemp -d "$(dirname "${out}")/.build-XXXXXX")"
trap 'rm -rf "${work}"' EXIT
cp "${here}"/*.go "${mods}/go.mod" "${mods}/go.sum" "${work}/"
echo "sdkplugin: building the fixture plugin${variant:+ (${variant})} (once; a minute or two)" >&2
(cd "${work}" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "${work}/out/packer-plugin-fixture" . >&2)
mv "${work}/out" "${out}" 2>/dev/null || test -x "${bin}"
echo "${bin}"
