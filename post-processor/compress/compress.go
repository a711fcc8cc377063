// Package compress is Packer's compress post-processor: it packs the
// artifact's files into one archive (a tar, plain or compressed, or a
// zip), or compresses its one file alone, the format chosen from the
// output's extensions as Packer chooses it. The archive is written by
// internal/archive, streaming, so that a large artifact never sits in
// memory.
package compress

import (
	"archive/tar"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"

	"github.com/packer-classic/packer/internal/archive"
	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies compress artifacts, as in Packer.
const BuilderId = "packer.post-processor.compress"

// DefaultOutput is Packer's default archive name. It has no extension, so
// the archive is a tar.gz.
const DefaultOutput = "packer_{{.BuildName}}_{{.BuilderType}}"

// Config is the compress post-processor's configuration.
type Config struct {
	// OutputPath is the archive, a template of {{.BuildName}} and
	// {{.BuilderType}}; its extensions pick the format (see detect).
	OutputPath string `mapstructure:"output"`
	// Format, when set, picks the format as if it were the output's last
	// extension ("zip", "tar.xz", "gz"), leaving the name as it is.
	Format string `mapstructure:"format"`
	// CompressionLevel is 1 (fastest) to 9 (smallest); 0 and -1 mean each
	// compression's default, and above 9 means 9, as in Packer.
	CompressionLevel int `mapstructure:"compression_level"`
	// KeepInputArtifact is read by the core.
	KeepInputArtifact *bool `mapstructure:"keep_input_artifact"`

	packer.PackerConfig `mapstructure:",squash"`
}

// PostProcessor is the compress post-processor. Its zero value is ready for
// Prepare.
type PostProcessor struct {
	config Config
	output *template.Template
	format archive.Format
	// knownFormat is false when no extension was recognised and the
	// archive is a tar.gz by Packer's default.
	knownFormat bool
	level       int
	// levelAbove is the level asked for when it was above 9.
	levelAbove int
}

// Prepare reads and checks the configuration.
func (p *PostProcessor) Prepare(raws ...any) error {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return err
	}
	if c.OutputPath == "" {
		c.OutputPath = DefaultOutput
	}
	level, above := c.CompressionLevel, 0
	switch {
	case level > archive.MaxLevel:
		level, above = archive.MaxLevel, level
	case level == -1:
		level = 0
	case level < -1:
		return fmt.Errorf("compression_level: %d is below -1; use 1 (fastest) to 9 (smallest), or leave it out for the default", level)
	}
	tpl, err := template.New("output").Option("missingkey=error").Parse(c.OutputPath)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	p.format, p.knownFormat = detect(c.OutputPath, c.Format)
	p.config, p.output, p.level, p.levelAbove = c, tpl, level, above
	return nil
}

// PostProcess writes the archive. A failure removes what was written,
// except where Packer's own failure leaves a file (see below).
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	c, f := p.config, p.format
	var b strings.Builder
	if err := p.output.Execute(&b, map[string]string{"BuildName": c.PackerBuildName, "BuilderType": c.PackerBuilderType}); err != nil {
		return nil, false, fmt.Errorf("output: %w", err)
	}
	output := b.String()
	if !p.knownFormat {
		ui.Say(fmt.Sprintf("%s has no extension compress knows; writing a tar.gz, as Packer does", output))
	}
	if p.levelAbove != 0 {
		ui.Say(fmt.Sprintf("compression_level %d is above %d, the highest; using %d, as Packer does", p.levelAbove, archive.MaxLevel, archive.MaxLevel))
	}
	switch {
	case f.Compression.Parallel():
		ui.Say(fmt.Sprintf("Using %s compression with %d cores for %s", f.Compression, runtime.GOMAXPROCS(0), output))
	case f.Compression != archive.NoCompression:
		ui.Say(fmt.Sprintf("Using %s compression with 1 core for %s", f.Compression, output))
	}
	w, err := archive.Create("output", output, f, archive.Options{
		Level: p.level,
		// Packer writes GNU headers: Google Compute Engine's image
		// import reads no other.
		TarFormat: tar.FormatGNU,
	})
	if err != nil {
		return nil, false, err
	}
	defer w.Abort()

	files := a.Files()
	if f.Container == archive.Single && len(files) != 1 {
		// Packer creates the output before it counts the files, so its
		// failure leaves an empty compressed stream under the output's
		// name; templates and scripts written against Packer see the
		// same file here.
		if err := w.Close(); err != nil {
			return nil, false, err
		}
		return nil, false, fmt.Errorf("output: a .%s holds one file and the artifact has %d (%s); name the output .tar.%s or .zip to pack several (%s is left holding an empty stream, as Packer leaves it)",
			f, len(files), strings.Join(files, ", "), f.Compression.Extension(), output)
	}
	compression := string(f.Compression)
	if f.Compression == archive.NoCompression {
		compression = "no compression"
	}
	switch f.Container {
	case archive.Tar:
		ui.Say(fmt.Sprintf("Tarring %s with %s", output, compression))
	case archive.Zip:
		ui.Say(fmt.Sprintf("Zipping %s", output))
	case archive.Single:
		ui.Say(fmt.Sprintf("Archiving %s with %s", files[0], compression))
	}
	for _, file := range files {
		if err := w.AddFile(ctx, memberName(f, file), file); err != nil {
			return nil, false, fmt.Errorf("compressing %s into %s: %w", file, output, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, false, err
	}
	ui.Say(fmt.Sprintf("Archive %s completed", output))
	return &Artifact{path: output}, false, nil
}

// memberName is what Packer names a file in the archive: its base name in
// a tar, and in a zip its path as the artifact gives it, with forward
// slashes. A zip path that is absolute or climbs with ".." is made
// relative (Packer writes it as it is, and unzip tools then refuse or
// rewrite it).
func memberName(f archive.Format, file string) string {
	if f.Container != archive.Zip {
		return filepath.Base(file)
	}
	name := filepath.ToSlash(file)
	if vol := filepath.VolumeName(file); vol != "" {
		name = name[len(vol):]
	}
	if !strings.HasPrefix(name, "/") && !hasDotDot(name) {
		return name
	}
	var kept []string
	for _, part := range strings.Split(path.Clean("/"+name), "/") {
		if part != "" && part != ".." {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, "/")
}

func hasDotDot(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}
