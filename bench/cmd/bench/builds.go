package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// timeParallelBuilds times `packer build` of a template with one null build
// and of one with 50, alternating, and prints the ratio of the medians: the
// cost of a build when builds run in parallel.
func timeParallelBuilds(packer string, passes int) error {
	dir, err := os.MkdirTemp("", "packer-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	templates := map[int]string{}
	for _, n := range []int{1, 50} {
		var builds []string
		for i := range n {
			builds = append(builds, fmt.Sprintf(`{"type": "null", "name": "b%d", "communicator": "none"}`, i))
		}
		path := filepath.Join(dir, fmt.Sprintf("builds-%d.json", n))
		if err := os.WriteFile(path, []byte(`{"builders": [`+strings.Join(builds, ",")+`]}`), 0o644); err != nil {
			return err
		}
		templates[n] = path
	}
	times := map[int][]float64{}
	for range passes * 3 {
		for _, n := range []int{1, 50} {
			cmd := exec.Command(packer, "build", templates[n])
			cmd.Dir = dir
			t0 := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v\n%s", templates[n], err, out)
			}
			times[n] = append(times[n], ms(time.Since(t0)))
		}
	}
	one, fifty := quantile(times[1], 0.5), quantile(times[50], 0.5)
	fmt.Printf("\n| packer build of null builds (ms) | 1 build | 50 builds | ratio | target |\n|---|---|---|---|---|\n")
	fmt.Printf("| wall time, median of %d | %s [%s-%s] | %s [%s-%s] | %.2fx | <= 5x |\n", len(times[1]),
		num(one), num(minOf(times[1])), num(maxOf(times[1])), num(fifty), num(minOf(times[50])), num(maxOf(times[50])), fifty/one)
	return nil
}
