// Package manifest is Packer's manifest post-processor: it records each
// build's artifact in a JSON file (packer-manifest.json by default), adding
// to what earlier builds and runs wrote, in Packer's format.
package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/packer-classic/packer/packer"
)

// Config is the manifest post-processor's configuration.
type Config struct {
	// Output is the manifest file (default packer-manifest.json).
	Output string `mapstructure:"output"`
	// StripPath records file names without their directories.
	StripPath bool `mapstructure:"strip_path"`
	// StripTime leaves build_time out.
	StripTime bool `mapstructure:"strip_time"`
	// CustomData is recorded with each build.
	CustomData map[string]string `mapstructure:"custom_data"`
	// KeepInputArtifact is read by the core.
	KeepInputArtifact *bool `mapstructure:"keep_input_artifact"`

	packer.PackerConfig `mapstructure:",squash"`
}

// File is the manifest file's format, as Packer writes it.
type File struct {
	Builds      []Build `json:"builds"`
	LastRunUUID string  `json:"last_run_uuid"`
}

// Build is one build's record.
type Build struct {
	Name          string            `json:"name"`
	BuilderType   string            `json:"builder_type"`
	BuildTime     int64             `json:"build_time,omitempty"`
	Files         []ArtifactFile    `json:"files"`
	ArtifactID    string            `json:"artifact_id"`
	PackerRunUUID string            `json:"packer_run_uuid"`
	CustomData    map[string]string `json:"custom_data"`
}

// ArtifactFile is one file of an artifact.
type ArtifactFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// RunUUIDEnv names the variable the core sets for every plugin of a run.
const RunUUIDEnv = "PACKER_RUN_UUID"

// PostProcessor is the manifest post-processor. Its zero value is ready for
// Prepare.
type PostProcessor struct {
	config Config
}

// Prepare reads the configuration.
func (p *PostProcessor) Prepare(raws ...any) error {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return err
	}
	if c.Output == "" {
		c.Output = "packer-manifest.json"
	}
	if err := packer.CheckOutputPath("output", c.Output); err != nil {
		return err
	}
	p.config = c
	return nil
}

// PostProcess adds the artifact to the manifest and passes it on, kept.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	c := p.config
	record := Build{
		Name:          c.PackerBuildName,
		BuilderType:   c.PackerBuilderType,
		ArtifactID:    a.Id(),
		PackerRunUUID: os.Getenv(RunUUIDEnv),
		CustomData:    c.CustomData,
	}
	if !c.StripTime {
		record.BuildTime = time.Now().Unix()
	}
	for _, f := range a.Files() {
		// As in Packer, a file that is gone (an earlier chain's compress
		// removed it) is recorded with size 0.
		var size int64
		if info, err := os.Stat(f); err == nil {
			size = info.Size()
		} else {
			ui.Error(fmt.Sprintf("Warning: recording artifact file %s in the manifest with size 0: %v", f, err))
		}
		name := f
		if c.StripPath {
			name = filepath.Base(f)
		}
		record.Files = append(record.Files, ArtifactFile{Name: name, Size: size})
	}

	ui.Say(fmt.Sprintf("Adding build %q to the manifest %s", record.Name, c.Output))
	if err := appendBuild(c.Output, record, c.PackerForce); err != nil {
		return nil, false, err
	}
	return a, true, nil
}

// appendBuild adds record to the manifest at path under a lock, so builds
// running in parallel (each in its own process) do not lose each other's
// records. As in Packer, the manifest's directory must exist, and with
// -force a manifest an earlier run wrote (another last_run_uuid) is started
// afresh.
func appendBuild(path string, record Build, force bool) error {
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("output: cannot write the manifest %s: its directory %s does not exist; create it first, or set \"output\" to a file in an existing directory", path, dir)
	}
	unlock, err := lockFile(path)
	if err != nil {
		return fmt.Errorf("locking the manifest %s: %w", path, err)
	}
	defer unlock()

	var manifest File
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading the manifest: %w", err)
	default:
		if err := json.Unmarshal(data, &manifest); err != nil {
			return fmt.Errorf("the manifest %s exists but is not a manifest (%v); move it away or set \"output\" to another file", path, err)
		}
	}
	if force && manifest.LastRunUUID != record.PackerRunUUID {
		manifest = File{}
	}
	manifest.Builds = append(manifest.Builds, record)
	manifest.LastRunUUID = record.PackerRunUUID
	out, err := json.MarshalIndent(&manifest, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	// 0664 less the umask, as Packer writes it.
	if err := os.WriteFile(tmp, out, 0o664); err != nil {
		return fmt.Errorf("writing the manifest: %w", err)
	}
	return os.Rename(tmp, path)
}
