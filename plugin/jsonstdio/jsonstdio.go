// Package jsonstdio runs plugins written in any language: an executable
// whose manifest (NAME.plugin.json beside it) declares
// {"protocol": "json-stdio"} is run once per call, reads one JSON request on
// stdin and writes one JSON response (at most MaxResponse bytes) on stdout.
// Its stderr goes to the log; a non-zero exit is an error carrying its
// stderr. Each call is a one-shot run of the plugin supervisor
// (plugin.Supervisor.Run): the program and all it starts are killed when it
// exits, when the build is cancelled, and when packer dies. The core, not
// the plugin, writes every file the response names: it checks every entry
// before writing any, and writes only inside the output directory. The
// schema is in docs/plugins.md.
package jsonstdio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

// MaxResponse bounds a response: a plugin that prints more is killed and
// the call fails. Files bigger than this are given as "source", not
// "content".
const MaxResponse = 16 << 20

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
	Name string
	// Supervisor runs each call and can kill it with the rest of the run;
	// nil runs it under a supervisor of its own.
	Supervisor *plugin.Supervisor
	config     map[string]any
	outDir     string
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
	supervisor := c.Supervisor
	if supervisor == nil {
		supervisor = &plugin.Supervisor{}
	}
	stdout, err := supervisor.Run(ctx, plugin.OneShot{
		Path:      c.Path,
		Stdin:     bytes.NewReader(input),
		Name:      name,
		MaxOutput: MaxResponse,
		Logger:    c.Logger,
	})
	if err != nil {
		return nil, err
	}
	var resp Response
	if err := json.Unmarshal(stdout, &resp); err != nil {
		return nil, fmt.Errorf("%s printed something that is not a json-stdio response (%v): %q", name, err, truncate(string(stdout), 200))
	}
	return &resp, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// writeFiles writes the response's files under the output directory. Every
// entry is checked before anything is written (its path relative and
// inside the directory, its source a regular file that opens), so a
// response with one bad entry writes nothing; the writes then go through an
// os.Root at the output directory, so no symlink can take them out of it.
func (c *component) writeFiles(files []File) error {
	type write struct {
		rel string
		src io.Reader
	}
	writes := make([]write, 0, len(files))
	for _, f := range files {
		rel, err := c.rel(f.Path)
		if err != nil {
			return err
		}
		w := write{rel: rel, src: strings.NewReader(f.Content)}
		if f.Source != "" {
			src, err := c.openSource(f)
			if err != nil {
				return err
			}
			defer src.Close()
			w.src = src
		}
		writes = append(writes, w)
	}
	if len(writes) == 0 {
		return nil
	}
	root, err := c.outputRoot()
	if err != nil {
		return err
	}
	defer root.Close()
	for _, w := range writes {
		if dir := filepath.Dir(w.rel); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("%s asked to write %q: %w", filepath.Base(c.Path), w.rel, err)
			}
		}
		out, err := root.OpenFile(w.rel, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("%s asked to write %q: %w", filepath.Base(c.Path), w.rel, err)
		}
		if _, err := io.Copy(out, w.src); err != nil {
			out.Close()
			return fmt.Errorf("writing %q for %s: %w", w.rel, filepath.Base(c.Path), err)
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
	return nil
}

// openSource opens the file a response entry asks to copy: it must be a
// regular file.
func (c *component) openSource(f File) (*os.File, error) {
	src, err := os.Open(f.Source)
	if err != nil {
		return nil, fmt.Errorf("%s asked to copy %s to %q: %w; nothing was written", filepath.Base(c.Path), f.Source, f.Path, err)
	}
	if info, err := src.Stat(); err != nil || !info.Mode().IsRegular() {
		src.Close()
		return nil, fmt.Errorf("%s asked to copy %s to %q, which is not a regular file; nothing was written", filepath.Base(c.Path), f.Source, f.Path)
	}
	return src, nil
}

// outputRoot makes the output directory and opens it as an os.Root. A
// relative one is made and opened through the working directory's root
// (packer.MkdirOutput), so a symlink planted on the way cannot lead it
// elsewhere; an absolute one is the user's explicit choice.
func (c *component) outputRoot() (*os.Root, error) {
	if err := packer.MkdirOutput("output_directory", c.outDir, 0o755); err != nil {
		return nil, err
	}
	if filepath.IsAbs(c.outDir) {
		return os.OpenRoot(c.outDir)
	}
	wd, err := os.OpenRoot(".")
	if err != nil {
		return nil, fmt.Errorf("output_directory: opening the working directory: %w", err)
	}
	defer wd.Close()
	root, err := wd.OpenRoot(filepath.Clean(c.outDir))
	if err != nil {
		return nil, fmt.Errorf("output_directory %q: %w", c.outDir, err)
	}
	return root, nil
}

// rel checks a path the plugin gave: relative, inside the output directory.
func (c *component) rel(p string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(p))
	if p == "" || filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%s asked to write %q, which is not inside the output directory %s; refused, and no file of its response was written", filepath.Base(c.Path), p, c.outDir)
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
	var artifact *result
	if resp.Artifact != nil {
		artifact = &result{id: resp.Artifact.ID, builder: "json-stdio." + filepath.Base(p.Path)}
		for _, f := range resp.Artifact.Files {
			rel, err := p.rel(f)
			if err != nil {
				return nil, false, err
			}
			artifact.files = append(artifact.files, filepath.Join(p.outDir, rel))
		}
	}
	if err := p.writeFiles(resp.Files); err != nil {
		return nil, false, err
	}
	if resp.Message != "" {
		ui.Say(resp.Message)
	}
	if artifact == nil {
		return a, true, nil
	}
	return artifact, resp.Keep, nil
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
