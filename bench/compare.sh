#!/bin/sh
# compare.sh BEFORE [AFTER] [ROUNDS]: the before-and-after of one change.
#
# Builds the test binaries of rpc/ and plugin/ at two revisions (AFTER
# defaults to the working tree), then runs their benchmarks alternately,
# ROUNDS times each (default 5), so that the drift of a shared machine hits
# both alike, and prints the median ns/op of every benchmark for each.
set -eu
before=$1
after=${2:-}
rounds=${3:-5}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/before" >/dev/null 2>&1 || true; [ -n "$after" ] && git -C "$root" worktree remove --force "$work/after" >/dev/null 2>&1; rm -rf "$work"' EXIT

build() { # build DIR OUT: the test binaries of the tree at DIR
	for pkg in rpc plugin; do
		(cd "$1" && go test -c -o "$2.$pkg.test" "./$pkg")
	done
}
git -C "$root" worktree add --detach "$work/before" "$before" >/dev/null 2>&1
build "$work/before" "$work/b"
if [ -n "$after" ]; then
	git -C "$root" worktree add --detach "$work/after" "$after" >/dev/null 2>&1
	build "$work/after" "$work/a"
else
	build "$root" "$work/a"
fi
for i in $(seq "$rounds"); do
	for side in b a; do
		for pkg in rpc plugin; do
			(cd "$root/$pkg" && "$work/$side.$pkg.test" -test.run='^$' -test.bench=. -test.benchtime=1s) |
				awk -v side="$side" '/^Benchmark/ { print side, $1, $3 }' >>"$work/results"
		done
	done
done
echo "| benchmark | before (ns/op) | after (ns/op) | after/before |"
echo "|---|---|---|---|"
awk '
	{ v[$2 " " $1] = v[$2 " " $1] " " $3; names[$2] = 1 }
	function median(list,   n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		for (name in names) {
			if (!((name " b") in v) || !((name " a") in v)) continue # only on one side
			b = median(v[name " b"]); a = median(v[name " a"])
			printf "| %s | %.0f | %.0f | %.2fx |\n", name, b, a, a / b
		}
	}' "$work/results" | sort
