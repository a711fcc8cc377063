package command

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
)

// recordUi keeps every line a command writes, by kind, for assertions.
type recordUi struct {
	mu    sync.Mutex
	lines []string // "say: ...", "message: ...", "error: ...", "machine: kind,args"
}

func (u *recordUi) add(s string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.lines = append(u.lines, s)
}
func (u *recordUi) Ask(string) (string, error) { return "", packer.ErrNoTerminal }
func (u *recordUi) Say(m string)               { u.add("say: " + m) }
func (u *recordUi) Message(m string)           { u.add("message: " + m) }
func (u *recordUi) Error(m string)             { u.add("error: " + m) }
func (u *recordUi) Machine(kind string, args ...string) {
	u.add("machine: " + strings.Join(append([]string{kind}, args...), ","))
}
func (u *recordUi) text() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.lines, "\n")
}

// fileArtifact is an artifact as a builder would return it: plain data.
type fileArtifact struct {
	id    string
	files []string
}

func (a fileArtifact) BuilderId() string { return "test.files" }
func (a fileArtifact) Files() []string   { return a.files }
func (a fileArtifact) Id() string        { return a.id }
func (a fileArtifact) String() string    { return "files: " + strings.Join(a.files, ", ") }
func (a fileArtifact) State(string) any  { return nil }
func (a fileArtifact) Destroy() error    { return nil }

func TestRunBuilds_failureDoesNotStopOthersAndOrderIsKept(t *testing.T) {
	ui := &recordUi{}
	boom := errors.New("boom")
	jobs := []buildJob{
		{name: "bad", ui: ui, run: func(context.Context, packer.Ui) ([]packer.Artifact, error) { return nil, boom }},
		{name: "good", ui: ui, run: func(context.Context, packer.Ui) ([]packer.Artifact, error) {
			return []packer.Artifact{fileArtifact{id: "x", files: []string{"a.txt"}}}, nil
		}},
	}
	results := runBuilds(context.Background(), jobs, 0)
	if len(results) != 2 || results[0].name != "bad" || results[1].name != "good" {
		t.Fatalf("results = %+v", results)
	}
	if !errors.Is(results[0].err, boom) || results[1].err != nil || len(results[1].artifacts) != 1 {
		t.Errorf("results = %+v", results)
	}
	text := ui.text()
	if !strings.Contains(text, "error: Build 'bad' errored after") || !strings.Contains(text, "say: Build 'good' finished after") {
		t.Errorf("per-build outcome lines missing:\n%s", text)
	}
}

func TestRunBuilds_neverRunsMoreThanTheLimitAtOnce(t *testing.T) {
	const limit, total = 2, 5
	var active, most atomic.Int32
	started := make(chan struct{}, total)
	release := make(chan struct{})
	var jobs []buildJob
	for range total {
		jobs = append(jobs, buildJob{name: "b", ui: &recordUi{}, run: func(context.Context, packer.Ui) ([]packer.Artifact, error) {
			n := active.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			started <- struct{}{}
			<-release
			active.Add(-1)
			return nil, nil
		}})
	}
	done := make(chan []buildResult)
	go func() { done <- runBuilds(context.Background(), jobs, limit) }()
	for range total {
		<-started
		release <- struct{}{}
	}
	<-done
	if got := most.Load(); got > limit {
		t.Errorf("%d builds ran at once, limit %d", got, limit)
	}
}

func TestRunBuilds_cancelReachesEveryRunningBuild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 2)
	run := func(ctx context.Context, _ packer.Ui) ([]packer.Artifact, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	jobs := []buildJob{{name: "a", ui: &recordUi{}, run: run}, {name: "b", ui: &recordUi{}, run: run}}
	done := make(chan []buildResult)
	go func() { done <- runBuilds(ctx, jobs, 0) }()
	<-started
	<-started
	cancel()
	for _, r := range <-done {
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("build %s: err = %v, want context.Canceled", r.name, r.err)
		}
	}
}

func TestWriteSummary_listsErrorsThenArtifactsAsPacker(t *testing.T) {
	top, a, b := &recordUi{}, &recordUi{}, &recordUi{}
	results := []buildResult{
		{name: "apple", ui: a, artifacts: []packer.Artifact{fileArtifact{id: "A1", files: []string{"apple.txt"}}}},
		{name: "banana", ui: b, err: errors.New("exit status 2")},
	}
	writeSummary(top, results, 1500*time.Millisecond)
	want := []string{
		"say: \n==> Wait completed after 1 second 500 milliseconds",
		"machine: error-count,1",
		"error: \n==> Some builds didn't complete successfully and had errors:",
		"machine: error,banana,exit status 2",
		"error: --> banana: exit status 2",
		"say: \n==> Builds finished. The artifacts of successful builds are:",
		"message: --> apple: files: apple.txt",
	}
	if got := top.text(); got != strings.Join(want, "\n") {
		t.Errorf("summary:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	wantRecords := []string{
		"machine: artifact-count,1",
		"machine: artifact,0,builder-id,test.files",
		"machine: artifact,0,id,A1",
		"machine: artifact,0,string,files: apple.txt",
		"machine: artifact,0,files-count,1",
		"machine: artifact,0,file,0,apple.txt",
		"machine: artifact,0,end",
	}
	if got := a.text(); got != strings.Join(wantRecords, "\n") {
		t.Errorf("artifact records on the build's Ui:\n%s\nwant:\n%s", got, strings.Join(wantRecords, "\n"))
	}
}

func TestWriteSummary_noArtifacts(t *testing.T) {
	top := &recordUi{}
	writeSummary(top, []buildResult{{name: "x", ui: &recordUi{}}}, 0)
	if !strings.Contains(top.text(), "Builds finished but no artifacts were created.") {
		t.Errorf("summary:\n%s", top.text())
	}
}

func TestHumanDuration(t *testing.T) {
	cases := map[time.Duration]string{
		0:                                     "0 seconds",
		250 * time.Millisecond:                "250 milliseconds",
		time.Second:                           "1 second",
		61 * time.Second:                      "1 minute 1 second",
		2*time.Hour + 3*time.Second:           "2 hours",
		90*time.Minute + 500*time.Millisecond: "1 hour 30 minutes",
	}
	for d, want := range cases {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRunBuilds_limitOfOneRunsInOrder(t *testing.T) {
	var mu sync.Mutex
	var order []string
	var jobs []buildJob
	for _, name := range []string{"a", "b", "c", "d"} {
		jobs = append(jobs, buildJob{name: name, ui: &recordUi{}, run: func(context.Context, packer.Ui) ([]packer.Artifact, error) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil, nil
		}})
	}
	runBuilds(context.Background(), jobs, 1)
	if strings.Join(order, "") != "abcd" {
		t.Errorf("order = %q, want a b c d", order)
	}
}

func TestRunBuilds_cancelledBeforeStartRunsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	results := runBuilds(ctx, []buildJob{{name: "a", ui: &recordUi{}, run: func(context.Context, packer.Ui) ([]packer.Artifact, error) {
		ran = true
		return nil, nil
	}}}, 0)
	if ran || !errors.Is(results[0].err, context.Canceled) {
		t.Errorf("ran = %v, err = %v; want not run and context.Canceled", ran, results[0].err)
	}
}
