// Package checksum is Packer's checksum post-processor: it computes
// checksums of the artifact's files and writes them to files in the format
// sha256sum -c and friends read ("HEX<TAB>NAME" per file).
package checksum

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies checksum artifacts, as in Packer.
const BuilderId = "packer.post-processor.checksum"

// DefaultOutput is Packer's default checksum file name.
const DefaultOutput = "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum"

var hashes = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha224": sha256.New224,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

// Config is the checksum post-processor's configuration.
type Config struct {
	// ChecksumTypes are the checksums to compute (default md5).
	ChecksumTypes []string `mapstructure:"checksum_types"`
	// OutputPath is the checksum file, a template of {{.BuildName}},
	// {{.BuilderType}} and {{.ChecksumType}}.
	OutputPath string `mapstructure:"output"`
	// KeepInputArtifact is read by the core.
	KeepInputArtifact *bool `mapstructure:"keep_input_artifact"`

	packer.PackerConfig `mapstructure:",squash"`
}

// PostProcessor is the checksum post-processor. Its zero value is ready for
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
	var errs *multierror.Error
	if len(c.ChecksumTypes) == 0 {
		c.ChecksumTypes = []string{"md5"}
	}
	for _, t := range c.ChecksumTypes {
		if _, ok := hashes[t]; !ok {
			errs = multierror.Append(errs, fmt.Errorf("checksum_types: unknown checksum %q (use md5, sha1, sha224, sha256, sha384 or sha512)", t))
		}
	}
	if c.OutputPath == "" {
		c.OutputPath = DefaultOutput
	}
	tpl, err := template.New("output").Option("missingkey=error").Parse(c.OutputPath)
	if err != nil {
		errs = multierror.Append(errs, fmt.Errorf("output: %w", err))
	}
	if err := errs.ErrorOrNil(); err != nil {
		return err
	}
	p.config, p.output = c, tpl
	return nil
}

// PostProcess checksums every file of the artifact, reading each once for
// all checksum types, and appends a line per file to each checksum file.
// As in Packer, the artifact it returns lists the input's files followed by
// the checksum files this call created (a file an earlier build or run
// made is appended to but not listed), and the input is kept: destroying
// the result, as a compress after it does, removes both.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	c := p.config
	inputs := a.Files()
	outputs := map[string]string{}
	result := append([]string(nil), inputs...)
	for _, t := range c.ChecksumTypes {
		var b strings.Builder
		if err := p.output.Execute(&b, map[string]string{"BuildName": c.PackerBuildName, "BuilderType": c.PackerBuilderType, "ChecksumType": t}); err != nil {
			return nil, false, fmt.Errorf("output: %w", err)
		}
		path := b.String()
		if err := packer.CheckOutputPath("output", path); err != nil {
			return nil, false, err
		}
		outputs[t] = path
		if _, err := os.Stat(path); err != nil && len(inputs) > 0 && !slices.Contains(result, path) {
			result = append(result, path)
		}
	}
	for _, file := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		ui.Say(fmt.Sprintf("Computing %s of %s", strings.Join(c.ChecksumTypes, ", "), file))
		sums, err := sumFile(file, c.ChecksumTypes)
		if err != nil {
			return nil, false, err
		}
		for _, t := range c.ChecksumTypes {
			if err := appendLine(outputs[t], fmt.Sprintf("%x\t%s\n", sums[t], filepath.Base(file))); err != nil {
				return nil, false, err
			}
		}
	}
	// The input's files, then the checksum files, as Packer's artifact.
	return &packer.FilesArtifact{BuilderID: BuilderId, Paths: result}, true, nil
}

func sumFile(path string, types []string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checksumming: %w", err)
	}
	defer f.Close()
	hs := map[string]hash.Hash{}
	var writers []io.Writer
	for _, t := range types {
		h := hashes[t]()
		hs[t] = h
		writers = append(writers, h)
	}
	if _, err := io.CopyBuffer(io.MultiWriter(writers...), f, make([]byte, 1<<20)); err != nil {
		return nil, fmt.Errorf("checksumming %s: %w", path, err)
	}
	sums := map[string][]byte{}
	for t, h := range hs {
		sums[t] = h.Sum(nil)
	}
	return sums, nil
}

// appendLine appends line to the checksum file at path with one O_APPEND
// write, so parallel builds sharing the file never interleave their lines.
// (A temporary file renamed over it would lose a concurrent build's lines.)
func appendLine(path, line string) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := packer.MkdirOutput("output", dir, 0o755); err != nil {
			return err
		}
	}
	f, err := packer.OpenOutput("output", path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("output: writing %s: %w", path, err)
	}
	return f.Close()
}
