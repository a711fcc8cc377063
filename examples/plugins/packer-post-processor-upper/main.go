// Command packer-post-processor-upper is an example third-party
// post-processor: for each file of the artifact it writes an upper-case copy
// beside it (NAME.upper), and returns the copies as the new artifact.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

// PostProcessor is the upper post-processor; it has no settings.
type PostProcessor struct{}

// Prepare accepts only the keys every component gets.
func (p *PostProcessor) Prepare(raws ...any) error {
	var c packer.PackerConfig
	return packer.DecodeConfig(&c, raws...)
}

// PostProcess writes the upper-case copies.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	result := &Artifact{}
	for _, f := range a.Files() {
		if err := ctx.Err(); err != nil {
			result.Destroy() // cancelled: leave nothing half done
			return nil, false, err
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, false, err
		}
		dst := f + ".upper"
		if err := os.WriteFile(dst, bytes.ToUpper(data), 0o644); err != nil {
			result.Destroy()
			return nil, false, err
		}
		ui.Say(fmt.Sprintf("Wrote %s", dst))
		result.files = append(result.files, dst)
	}
	return result, true, nil
}

// Artifact is the upper-case copies.
type Artifact struct{ files []string }

// BuilderId names the plugin that made the artifact.
func (a *Artifact) BuilderId() string { return "example.upper" }

// Files are the artifact's files.
func (a *Artifact) Files() []string { return a.files }

// Id identifies the artifact.
func (a *Artifact) Id() string { return "upper" }

// String describes the artifact to users.
func (a *Artifact) String() string { return fmt.Sprintf("Upper-case copies: %v", a.files) }

// State has nothing to share.
func (a *Artifact) State(name string) any { return nil }

// Destroy removes the copies.
func (a *Artifact) Destroy() error {
	for _, f := range a.files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func main() { plugin.ServePostProcessor(new(PostProcessor)) }
