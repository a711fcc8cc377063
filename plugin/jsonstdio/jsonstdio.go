// Package jsonstdio runs plugins written in any language: an executable
// whose manifest (NAME.plugin.json beside it) declares
// {"protocol": "json-stdio"} is run once per call, reads one JSON request on
// stdin and writes one JSON response on stdout. Its stderr goes to the log;
// a non-zero exit is an error carrying its stderr. The core, not the
// plugin, writes every file the response names, and refuses a path that
// escapes the output directory. The schema is in docs/plugins.md.
package jsonstdio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/packer-classic/packer/packer"
)

// Protocol is the manifest's protocol name, and ProtocolVersion the version
// requests carry.
const (
	Protocol        = "json-stdio"
	ProtocolVersion = 1
)

// Manifest is NAME.plugin.json.
type Manifest struct {
	Protocol string `json:"protocol"`
}

// ManifestPath is where the manifest of the executable at path lives.
func ManifestPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".plugin.json"
}

// IsJSONStdio reports whether the executable at path has a manifest that
// declares this protocol; a manifest that cannot be read is an error.
func IsJSONStdio(path string) (bool, error) {
	data, err := os.ReadFile(ManifestPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return false, fmt.Errorf("%s: %v", ManifestPath(path), err)
	}
	if m.Protocol != Protocol {
		return false, fmt.Errorf("%s declares protocol %q; this packer speaks %q", ManifestPath(path), m.Protocol, Protocol)
	}
	return true, nil
}

// Request is what the plugin reads on stdin.
type Request struct {
	ProtocolVersion int    `json:"protocol_version"`
	Kind            string `json:"kind"` // "post-processor" or "provisioner"
	// Component is the component's name in a multi-component plugin whose
	// describe declares json-stdio ("-" for the default one); empty for a
	// single-component program.
	Component       string         `json:"component,omitempty"`
	Config          map[string]any `json:"config"`
	Artifact        *Artifact      `json:"artifact,omitempty"`
	OutputDirectory string         `json:"output_directory"`
}

// Artifact is an artifact in a request or a response.
type Artifact struct {
	ID        string         `json:"id"`
	BuilderID string         `json:"builder_id,omitempty"`
	Files     []string       `json:"files"`
	State     map[string]any `json:"state,omitempty"`
}

// File is a file the core writes for the plugin: Content, or a copy of
// Source.
type File struct {
	Path    string `json:"path"`
	Content string `json:"content,omitempty"`
	Source  string `json:"source,omitempty"`
}

// Step is one action a provisioner asks for, done in order through the
// communicator: an upload, or a command to run.
type Step struct {
	Upload *File  `json:"upload,omitempty"`
	Run    string `json:"run,omitempty"`
}

// Response is what the plugin writes on stdout.
type Response struct {
	Files    []File    `json:"files"`
	Artifact *Artifact `json:"artifact,omitempty"`
	Keep     bool      `json:"keep_input_artifact"`
	Steps    []Step    `json:"steps"`
	Message  string    `json:"message"`
}

// component is what post-processors and provisioners share: the
// executable, its configuration and where its files go.
type component struct {
	Path   string
	Logger *log.Logger
	// Name is set for a component of a multi-component json-stdio plugin.
	Name   string
	config map[string]any
	outDir string
}

func (c *component) prepare(raws []any) error {
	merged := map[string]any{}
	for _, raw := range raws {
		m, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		for k, v := range m {
			merged[k] = v
		}
	}
	c.outDir = "."
	if dir, ok := merged["output_directory"].(string); ok && dir != "" {
		if err := packer.CheckOutputPath("output_directory", dir); err != nil {
			return err
		}
		c.outDir = dir
	}
	c.config = merged
	return nil
}

// call runs the plugin once with req and returns its response.
func (c *component) call(ctx context.Context, req Request) (*Response, error) {
	name := filepath.Base(c.Path)
	input, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, c.Path)
	cmd.Stdin = bytes.NewReader(input)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderrR, stderrW := io.Pipe()
	cmd.Stderr = stderrW
	var tail []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := bufio.NewScanner(stderrR)
		for s.Scan() {
			if c.Logger != nil {
				c.Logger.Printf("%s: %s", name, s.Text())
			}
			tail = append(tail, s.Text())
			if len(tail) > 10 {
				tail = tail[1:]
			}
		}
	}()
	err = cmd.Run()
	stderrW.Close()
	<-done
	if err != nil {
		return nil, fmt.Errorf("%s (%s) failed: %v; its stderr:\n  %s", name, c.Path, err, strings.Join(tail, "\n  "))
	}
	var resp Response
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("%s printed something that is not a json-stdio response (%v): %q", name, err, truncate(stdout.String(), 200))
	}
	return &resp, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// writeFiles writes the response's files under the output directory,
// refusing any path that would leave it.
func (c *component) writeFiles(files []File) error {
	if err := os.MkdirAll(c.outDir, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(c.outDir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range files {
		rel, err := c.rel(f.Path)
		if err != nil {
			return err
		}
		var r io.Reader = strings.NewReader(f.Content)
		if f.Source != "" {
			src, err := os.Open(f.Source)
			if err != nil {
				return fmt.Errorf("%s asked to copy %s: %w", filepath.Base(c.Path), f.Source, err)
			}
			defer src.Close()
			r = src
		}
		if dir := filepath.Dir(rel); dir != "." {
			if err := mkdirAll(root, dir); err != nil {
				return err
			}
		}
		out, err := root.OpenFile(rel, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("%s asked to write %q: %w", filepath.Base(c.Path), f.Path, err)
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
	return nil
}

func mkdirAll(root *os.Root, dir string) error {
	parts := strings.Split(filepath.ToSlash(dir), "/")
	for i := range parts {
		if err := root.Mkdir(strings.Join(parts[:i+1], "/"), 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

// rel checks a path the plugin gave: relative, inside the output directory.
func (c *component) rel(p string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(p))
	if p == "" || filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%s asked to write %q, which is not inside the output directory %s; refused", filepath.Base(c.Path), p, c.outDir)
	}
	return clean, nil
}

// PostProcessor is a json-stdio executable used as a post-processor.
type PostProcessor struct {
	component
}

// NewPostProcessor returns the post-processor for the executable at path.
func NewPostProcessor(path string, logger *log.Logger) *PostProcessor {
	return &PostProcessor{component{Path: path, Logger: logger}}
}

// Prepare keeps the configuration; the plugin sees it with each call.
func (p *PostProcessor) Prepare(raws ...any) error { return p.prepare(raws) }

// PostProcess runs the plugin on the artifact.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	req := Request{ProtocolVersion: ProtocolVersion, Kind: "post-processor", Component: p.Name, Config: p.config, OutputDirectory: p.outDir}
	if a != nil {
		req.Artifact = &Artifact{ID: a.Id(), BuilderID: a.BuilderId(), Files: a.Files()}
	}
	resp, err := p.call(ctx, req)
	if err != nil {
		return nil, false, err
	}
	if err := p.writeFiles(resp.Files); err != nil {
		return nil, false, err
	}
	if resp.Message != "" {
		ui.Say(resp.Message)
	}
	if resp.Artifact == nil {
		return a, true, nil
	}
	result := &result{id: resp.Artifact.ID, builder: "json-stdio." + filepath.Base(p.Path)}
	for _, f := range resp.Artifact.Files {
		rel, err := p.rel(f)
		if err != nil {
			return nil, false, err
		}
		result.files = append(result.files, filepath.Join(p.outDir, rel))
	}
	return result, resp.Keep, nil
}

// Provisioner is a json-stdio executable used as a provisioner: its
// response lists steps (uploads and commands) the core carries out through
// the communicator, in order.
type Provisioner struct {
	component
}

// NewProvisioner returns the provisioner for the executable at path.
func NewProvisioner(path string, logger *log.Logger) *Provisioner {
	return &Provisioner{component{Path: path, Logger: logger}}
}

// Prepare keeps the configuration.
func (p *Provisioner) Prepare(raws ...any) error { return p.prepare(raws) }

// Provision runs the plugin, then its steps.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	resp, err := p.call(ctx, Request{ProtocolVersion: ProtocolVersion, Kind: "provisioner", Component: p.Name, Config: p.config, OutputDirectory: p.outDir})
	if err != nil {
		return err
	}
	if resp.Message != "" {
		ui.Say(resp.Message)
	}
	if len(resp.Steps) > 0 && comm == nil {
		return fmt.Errorf("%s asked for %d steps but the build has no communicator", filepath.Base(p.Path), len(resp.Steps))
	}
	for i, step := range resp.Steps {
		switch {
		case step.Upload != nil:
			if err := comm.Upload(step.Upload.Path, strings.NewReader(step.Upload.Content), nil); err != nil {
				return fmt.Errorf("step %d: upload %s: %w", i+1, step.Upload.Path, err)
			}
		case step.Run != "":
			status, err := (&packer.RemoteCmd{Command: step.Run}).RunWithUi(ctx, comm, ui)
			if err != nil {
				return fmt.Errorf("step %d: %w", i+1, err)
			}
			if status != 0 {
				return fmt.Errorf("step %d: %q exited with status %d", i+1, step.Run, status)
			}
		}
	}
	return nil
}

// result is the artifact a post-processor's response describes.
type result struct {
	id, builder string
	files       []string
}

func (r *result) BuilderId() string { return r.builder }
func (r *result) Files() []string   { return r.files }
func (r *result) Id() string        { return r.id }
func (r *result) String() string {
	return fmt.Sprintf("%s: %s", r.id, strings.Join(r.files, ", "))
}
func (r *result) State(string) any { return nil }
func (r *result) Destroy() error {
	for _, f := range r.files {
		os.Remove(f)
	}
	return nil
}
