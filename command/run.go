package command

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/packer-classic/packer/packer"
)

// buildJob is one prepared build, ready to run: its name, the Ui its output
// goes to, and what runs it (the core's Build.Run).
type buildJob struct {
	name string
	ui   packer.Ui
	run  func(ctx context.Context, ui packer.Ui) ([]packer.Artifact, error)
}

// buildResult is what one build came to, for the summary.
type buildResult struct {
	name      string
	ui        packer.Ui
	artifacts []packer.Artifact
	err       error
	duration  time.Duration
}

// runBuilds runs the jobs, at most parallel at a time (0 = all at once), and
// returns their results in the jobs' order. Jobs start in order, so with a
// limit of 1 they run one after another as listed. A failed build does not
// stop the others; a cancelled ctx cancels the running ones, each through
// its own Run, and starts no more.
func runBuilds(ctx context.Context, jobs []buildJob, parallel int) []buildResult {
	if parallel <= 0 || parallel > len(jobs) {
		parallel = len(jobs)
	}
	slots := make(chan struct{}, max(parallel, 1))
	results := make([]buildResult, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		results[i] = buildResult{name: job.name, ui: job.ui}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			results[i].err = fmt.Errorf("not started: %w", context.Cause(ctx))
			continue
		}
		if ctx.Err() != nil {
			<-slots
			results[i].err = fmt.Errorf("not started: %w", context.Cause(ctx))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			start := time.Now()
			artifacts, err := job.run(ctx, job.ui)
			results[i].artifacts, results[i].err, results[i].duration = artifacts, err, time.Since(start)
			if err != nil {
				job.ui.Error(fmt.Sprintf("Build '%s' errored after %s: %v", job.name, humanDuration(results[i].duration), err))
			} else {
				job.ui.Say(fmt.Sprintf("Build '%s' finished after %s.", job.name, humanDuration(results[i].duration)))
			}
		}()
	}
	wg.Wait()
	return results
}

// writeSummary prints the end of a build run as Packer does: the errors of
// failed builds, then every artifact of the successful ones, and the same as
// machine-readable records.
func writeSummary(ui packer.Ui, results []buildResult, waited time.Duration) {
	ui.Say(fmt.Sprintf("\n==> Wait completed after %s", humanDuration(waited)))
	var failed []buildResult
	for _, r := range results {
		if r.err != nil {
			failed = append(failed, r)
		}
	}
	if len(failed) > 0 {
		ui.Machine("error-count", strconv.Itoa(len(failed)))
		ui.Error("\n==> Some builds didn't complete successfully and had errors:")
		for _, r := range failed {
			ui.Machine("error", r.name, r.err.Error())
			ui.Error(fmt.Sprintf("--> %s: %v", r.name, r.err))
		}
	}
	var lines []string
	for _, r := range results {
		if r.err != nil {
			continue
		}
		r.ui.Machine("artifact-count", strconv.Itoa(len(r.artifacts)))
		for i, a := range r.artifacts {
			writeArtifactRecords(r.ui, i, a)
			lines = append(lines, fmt.Sprintf("--> %s: %s", r.name, indentAfterFirst(a.String())))
		}
	}
	if len(lines) == 0 {
		ui.Say("\n==> Builds finished but no artifacts were created.")
		return
	}
	ui.Say("\n==> Builds finished. The artifacts of successful builds are:")
	for _, l := range lines {
		ui.Message(l)
	}
}

// writeArtifactRecords writes one artifact as Packer's machine-readable
// "artifact" records, on the build's Ui so their target is the build.
func writeArtifactRecords(ui packer.Ui, i int, a packer.Artifact) {
	n := strconv.Itoa(i)
	ui.Machine("artifact", n, "builder-id", a.BuilderId())
	ui.Machine("artifact", n, "id", a.Id())
	ui.Machine("artifact", n, "string", a.String())
	files := a.Files()
	ui.Machine("artifact", n, "files-count", strconv.Itoa(len(files)))
	for j, f := range files {
		ui.Machine("artifact", n, "file", strconv.Itoa(j), f)
	}
	ui.Machine("artifact", n, "end")
}

func indentAfterFirst(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// humanDuration prints a duration as Packer's summary does, in its two
// largest units: "1 minute 3 seconds", "250 milliseconds".
func humanDuration(d time.Duration) string {
	units := []struct {
		name string
		size time.Duration
	}{{"hour", time.Hour}, {"minute", time.Minute}, {"second", time.Second}, {"millisecond", time.Millisecond}}
	var parts []string
	for _, u := range units {
		if len(parts) == 2 {
			break
		}
		n := d / u.size
		if n == 0 && len(parts) == 0 {
			continue
		}
		d -= n * u.size
		if n == 0 {
			break
		}
		name := u.name
		if n != 1 {
			name += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}
