// Command bench measures what crossing the process boundary costs with this
// framework, side by side with hashicorp/go-plugin (net/rpc) and a floor of
// two bare Go processes talking plain net/rpc and raw TCP.
//
// Every measurement runs for all subjects interleaved in small blocks, so the
// drift of a shared machine hits all alike, and the whole pass repeats. It
// prints a markdown table of medians, p99 where it applies, the min-max of
// the per-pass medians, and each row's ratio to the floor and to go-plugin.
//
// Usage: bench -bin DIR [-passes 5] [-stream-mib 1024] [-only ROWS] [-packer FILE]
// where DIR holds the plugin binaries floor, goplugin, goplugin-tcp and ours
// (make bench builds them).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// subject is one plugin framework under measurement.
type subject interface {
	Name() string
	// Start execs the plugin and makes its first call.
	Start() (handle, error)
}

// handle is one running plugin.
type handle interface {
	Call() error
	Callback() error
	CallBytes(b []byte) error
	Stream(data []byte, size int64) error
	Pid() int
	Close()
}

type row struct {
	name, unit  string
	higherIsBad bool
	target      string
	// per subject: per pass medians, and all values pooled
	passMedians map[string][]float64
	pooled      map[string][]float64
	current     map[string][]float64
	p99         bool
}

func main() {
	bin := flag.String("bin", "", "directory holding the plugin binaries floor, goplugin and ours")
	passes := flag.Int("passes", 5, "how many times to repeat the whole pass")
	streamMiB := flag.Int64("stream-mib", 1024, "MiB streamed host to plugin per measurement")
	packerBin := flag.String("packer", "", "a packer binary, to time builds of 1 and of 50 null builds")
	only := flag.String("only", "", "measure only these rows, comma-separated: start, call, callback, mib, stream, rss (default all)")
	flag.Parse()
	want, err := parseRows(*only)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: -only: %v\n", err)
		os.Exit(2)
	}
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "bench: -bin DIR is required (make bench sets it)")
		os.Exit(2)
	}
	subjects := []subject{
		&floorSubject{path: filepath.Join(*bin, "floor")},
		&yamuxFloorSubject{path: filepath.Join(*bin, "yamuxfloor")},
		&goPluginSubject{path: filepath.Join(*bin, "goplugin"), name: "go-plugin"},
		&goPluginSubject{path: filepath.Join(*bin, "goplugin-tcp"), name: "go-plugin-tcp"},
		&oursSubject{path: filepath.Join(*bin, "ours")},
		&oursSubject{path: filepath.Join(*bin, "ours"), transport: "unix"},
	}

	rows := []*row{
		{name: "start: exec to first completed call", unit: "ms", higherIsBad: true, target: "<= 1.10x floor"},
		{name: "trivial call round trip", unit: "us", higherIsBad: true, target: "<= 1.20x floor", p99: true},
		{name: "callback (host -> plugin -> host)", unit: "us", higherIsBad: true, target: "<= 2.4x floor call", p99: true},
		{name: "call carrying 1 MiB", unit: "ms", higherIsBad: true, target: "<= 1.3x floor", p99: true},
		{name: fmt.Sprintf("%d MiB streamed host to plugin", *streamMiB), unit: "MiB/s", target: ">= 0.75x floor"},
		{name: "plugin RSS after first call", unit: "MiB", higherIsBad: true, target: "<= 1.05x floor"},
	}
	for _, r := range rows {
		r.passMedians = map[string][]float64{}
		r.pooled = map[string][]float64{}
	}
	data := make([]byte, 1<<20)
	streamBuf := make([]byte, 1<<20)
	began := time.Now()
	for pass := 1; pass <= *passes; pass++ {
		fmt.Fprintf(os.Stderr, "pass %d of %d\n", pass, *passes)
		for _, s := range subjects {
			if !want["start"] {
				break
			}
			// Start, in a block of its own.
			var starts []float64
			for range 10 {
				t0 := time.Now()
				h, err := s.Start()
				if err != nil {
					fail(s, "start", err)
				}
				starts = append(starts, ms(time.Since(t0)))
				h.Close()
			}
			record(rows[0], s.Name(), starts)
		}
		handles := map[string]handle{}
		for _, s := range subjects {
			h, err := s.Start()
			if err != nil {
				fail(s, "start", err)
			}
			handles[s.Name()] = h
			rss, err := rssMiB(h.Pid())
			if err != nil {
				fail(s, "reading RSS", err)
			}
			if want["rss"] {
				record(rows[5], s.Name(), []float64{rss})
			}
		}
		// Calls, callbacks and 1 MiB calls interleaved in blocks.
		for block := 0; block < 4; block++ {
			for _, s := range subjects {
				h := handles[s.Name()]
				if want["call"] || want["callback"] {
					// The callback's ratio is to the floor's call.
					record(rows[1], s.Name(), timeEach(500, us, h.Call, s, "call"))
				}
				if want["callback"] {
					record(rows[2], s.Name(), timeEach(250, us, h.Callback, s, "callback"))
				}
				if want["mib"] {
					record(rows[3], s.Name(), timeEach(25, ms, func() error { return h.CallBytes(data) }, s, "1 MiB call"))
				}
			}
		}
		for _, s := range subjects {
			if !want["stream"] {
				break
			}
			h := handles[s.Name()]
			size := *streamMiB << 20
			t0 := time.Now()
			if err := h.Stream(streamBuf, size); err != nil {
				fail(s, "stream", err)
			}
			record(rows[4], s.Name(), []float64{float64(*streamMiB) / time.Since(t0).Seconds()})
		}
		for _, h := range handles {
			h.Close()
		}
		for _, r := range rows {
			r.endPass()
		}
	}
	printTable(rows, subjects, *passes, time.Since(began))
	if *packerBin != "" && *only == "" {
		if err := timeParallelBuilds(*packerBin, *passes); err != nil {
			fmt.Fprintf(os.Stderr, "bench: packer build: %v\n", err)
			os.Exit(1)
		}
	}
}

// rowNames are the names -only accepts, in the order of the table.
var rowNames = []string{"start", "call", "callback", "mib", "stream", "rss"}

// parseRows turns -only's list into a set; empty means every row.
func parseRows(list string) (map[string]bool, error) {
	want := map[string]bool{}
	if list == "" {
		for _, name := range rowNames {
			want[name] = true
		}
		return want, nil
	}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(rowNames, name) {
			return nil, fmt.Errorf("no row %q; the rows are %s", name, strings.Join(rowNames, ", "))
		}
		want[name] = true
	}
	return want, nil
}

func timeEach(n int, unit func(time.Duration) float64, op func() error, s subject, what string) []float64 {
	out := make([]float64, 0, n)
	for range n {
		t0 := time.Now()
		if err := op(); err != nil {
			fail(s, what, err)
		}
		out = append(out, unit(time.Since(t0)))
	}
	return out
}

func record(r *row, name string, values []float64) {
	if r.current == nil {
		r.current = map[string][]float64{}
	}
	r.current[name] = append(r.current[name], values...)
}

// endPass folds this pass's values into the pooled ones and keeps the pass's
// median, for the min-max across passes.
func (r *row) endPass() {
	for name, vs := range r.current {
		r.pooled[name] = append(r.pooled[name], vs...)
		r.passMedians[name] = append(r.passMedians[name], quantile(vs, 0.5))
	}
	r.current = nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func quantile(values []float64, q float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	i := int(q * float64(len(s)-1))
	return s[i]
}

func fail(s subject, what string, err error) {
	fmt.Fprintf(os.Stderr, "bench: %s: %s: %v\n", s.Name(), what, err)
	os.Exit(1)
}

func rssMiB(pid int) (float64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("RSS is read from /proc (Linux only): %w", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%f", &kb)
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func printTable(rows []*row, subjects []subject, passes int, took time.Duration) {
	fmt.Printf("Medians over %d passes (min-max of the per-pass medians in brackets; p99 where it applies). Took %s.\n\n", passes, took.Round(time.Second))
	fmt.Println("| what | floor | yamux floor | go-plugin (unix) | go-plugin (tcp) | ours | ours (unix) | ours/floor | ours/yamux floor | ours/go-plugin unix, tcp | ours (unix)/go-plugin (unix) | target |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for i, r := range rows {
		if len(r.pooled) == 0 {
			continue
		}
		cells := []string{r.name + " (" + r.unit + ")"}
		med := map[string]float64{}
		for _, s := range subjects {
			vs := r.pooled[s.Name()]
			m := quantile(vs, 0.5)
			med[s.Name()] = m
			pm := r.passMedians[s.Name()]
			cell := fmt.Sprintf("%s [%s-%s]", num(m), num(minOf(pm)), num(maxOf(pm)))
			if r.p99 {
				cell += fmt.Sprintf(", p99 %s", num(quantile(vs, 0.99)))
			}
			cells = append(cells, cell)
		}
		floor := med["floor"]
		if i == 2 {
			// The callback's target is relative to the floor's single call.
			floor = quantile(rows[1].pooled["floor"], 0.5)
		}
		yfloor := med["yamux floor"]
		if i == 2 {
			yfloor = quantile(rows[1].pooled["yamux floor"], 0.5)
		}
		cells = append(cells, fmt.Sprintf("%.2fx", med["ours"]/floor), fmt.Sprintf("%.2fx", med["ours"]/yfloor),
			fmt.Sprintf("%.2fx, %.2fx", med["ours"]/med["go-plugin"], med["ours"]/med["go-plugin-tcp"]),
			fmt.Sprintf("%.2fx", med["ours (unix)"]/med["go-plugin"]), r.target)
		fmt.Println("| " + strings.Join(cells, " | ") + " |")
	}
}

func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func minOf(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	m := vs[0]
	for _, v := range vs {
		m = min(m, v)
	}
	return m
}

func maxOf(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}
