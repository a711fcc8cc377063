// Package compress is Packer's compress post-processor: it packs the
// artifact's files into one archive, its format chosen from the output's
// extension, streaming so that a large artifact never sits in memory.
package compress

import (
	"archive/tar"
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"

	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies compress artifacts, as in Packer.
const BuilderId = "packer.post-processor.compress"

// DefaultOutput is Packer's default archive name.
const DefaultOutput = "packer_{{.BuildName}}_{{.BuilderType}}.tar.gz"

// Config is the compress post-processor's configuration.
type Config struct {
	// OutputPath is the archive, a template of {{.BuildName}} and
	// {{.BuilderType}}; its extension picks the format.
	OutputPath string `mapstructure:"output"`
	// Format overrides the extension: tar, tar.gz, gz, zip, tar.zst, zst.
	Format string `mapstructure:"format"`
	// CompressionLevel is 1 (fastest) to 9 (smallest) for gzip and zip, and
	// mapped onto zstd's levels; 0 means the default (6).
	CompressionLevel int `mapstructure:"compression_level"`
	// KeepInputArtifact is read by the core.
	KeepInputArtifact *bool `mapstructure:"keep_input_artifact"`

	packer.PackerConfig `mapstructure:",squash"`
}

var formats = []string{"tar.gz", "tgz", "tar.zst", "tzst", "tar", "zip", "gz", "zst"}

// PostProcessor is the compress post-processor. Its zero value is ready for
// Prepare.
type PostProcessor struct {
	config Config
	output *template.Template
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
	if c.CompressionLevel == 0 {
		c.CompressionLevel = 6
	}
	if c.CompressionLevel < 1 || c.CompressionLevel > 9 {
		return fmt.Errorf("compression_level: %d is not between 1 and 9", c.CompressionLevel)
	}
	if c.Format != "" && formatOf(c.Format) == "" {
		return fmt.Errorf("format: unknown format %q (use one of %s)", c.Format, strings.Join(formats, ", "))
	}
	if c.Format == "" && formatOf(c.OutputPath) == "" {
		return fmt.Errorf("output: cannot tell the format of %q from its extension (use one of .%s, or set format)", c.OutputPath, strings.Join(formats, ", ."))
	}
	tpl, err := template.New("output").Option("missingkey=error").Parse(c.OutputPath)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	p.config, p.output = c, tpl
	return nil
}

// formatOf returns the canonical format named by an extension or a format
// name, or "".
func formatOf(name string) string {
	for _, f := range formats {
		if name == f || strings.HasSuffix(name, "."+f) {
			switch f {
			case "tgz":
				return "tar.gz"
			case "tzst":
				return "tar.zst"
			}
			return f
		}
	}
	return ""
}

// PostProcess writes the archive. A failure removes what was written.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	c := p.config
	var b strings.Builder
	if err := p.output.Execute(&b, map[string]string{"BuildName": c.PackerBuildName, "BuilderType": c.PackerBuilderType}); err != nil {
		return nil, false, fmt.Errorf("output: %w", err)
	}
	output := b.String()
	if err := packer.CheckOutputPath("output", output); err != nil {
		return nil, false, err
	}
	format := formatOf(output)
	if c.Format != "" {
		format = formatOf(c.Format)
	}
	files := a.Files()
	if len(files) == 0 {
		return nil, false, errors.New("the artifact has no files to compress")
	}
	if (format == "gz" || format == "zst") && len(files) != 1 {
		return nil, false, fmt.Errorf("output: a .%s holds one file and the artifact has %d; use .tar.%s or .zip", format, len(files), format)
	}
	ui.Say(fmt.Sprintf("Compressing %d file(s) into %s (%s)", len(files), output, format))
	if err := writeArchive(ctx, output, format, c.CompressionLevel, files); err != nil {
		return nil, false, err
	}
	return &Artifact{path: output}, false, nil
}

func writeArchive(ctx context.Context, output, format string, level int, files []string) (err error) {
	if dir := filepath.Dir(output); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".*")
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var w io.Writer = tmp
	var closers []io.Closer
	switch format {
	case "tar.gz", "gz":
		gz, err := pgzip.NewWriterLevel(tmp, level)
		if err != nil {
			return err
		}
		w, closers = gz, append(closers, gz)
	case "tar.zst", "zst":
		zw, err := zstd.NewWriter(tmp, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(zstdLevel(level))))
		if err != nil {
			return err
		}
		w, closers = zw, append(closers, zw)
	}
	switch format {
	case "gz", "zst":
		if err := copyFile(w, files[0]); err != nil {
			return err
		}
	case "zip":
		zw := zip.NewWriter(w)
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := addZip(zw, f); err != nil {
				return err
			}
		}
		closers = append([]io.Closer{zw}, closers...)
	default:
		tw := tar.NewWriter(w)
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := addTar(tw, f); err != nil {
				return err
			}
		}
		closers = append([]io.Closer{tw}, closers...)
	}
	for _, c := range closers {
		if err := c.Close(); err != nil {
			return fmt.Errorf("finishing %s: %w", output, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("finishing %s: %w", output, err)
	}
	return os.Rename(tmp.Name(), output)
}

// zstdLevel maps the 1-9 scale onto zstd's 1-19.
func zstdLevel(level int) int { return 1 + (level-1)*18/8 }

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("compressing: %w", err)
	}
	defer f.Close()
	if _, err := io.CopyBuffer(w, f, make([]byte, 1<<20)); err != nil {
		return fmt.Errorf("compressing %s: %w", path, err)
	}
	return nil
}

func addTar(tw *tar.Writer, path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("compressing: %w", err)
	}
	link := ""
	if info.Mode()&os.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return fmt.Errorf("compressing %s: %w", path, err)
	}
	hdr.Name = filepath.Base(path)
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if info.Mode().IsRegular() {
		return copyFile(tw, path)
	}
	return nil
}

func addZip(zw *zip.Writer, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("compressing: %w", err)
	}
	hdr, err := zip.FileInfoHeader(info)
	if err != nil {
		return err
	}
	hdr.Name = filepath.Base(path)
	hdr.Method = zip.Deflate
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	return copyFile(w, path)
}

// Artifact is the archive.
type Artifact struct{ path string }

// BuilderId is the compress post-processor's id.
func (*Artifact) BuilderId() string { return BuilderId }

// Files is the archive.
func (a *Artifact) Files() []string { return []string{a.path} }

// Id is the archive's path.
func (a *Artifact) Id() string { return a.path }

// String describes the archive.
func (a *Artifact) String() string { return "compressed artifacts in: " + a.path }

// State has nothing.
func (*Artifact) State(string) any { return nil }

// Destroy removes the archive.
func (a *Artifact) Destroy() error { return os.Remove(a.path) }
