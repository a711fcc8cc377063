package plugin

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path/filepath"
)

// maxDescription bounds what a describe may print: a description is a few
// lines of JSON.
const maxDescription = 1 << 20

// Describe runs `PATH describe` for a multi-component plugin
// (packer-plugin-NAME) under the supervisor, as a one-shot run (see Run):
// bounded by PACKER_PLUGIN_TIMEOUT (default 60s) and 1 MiB of output, its
// stderr logged. It returns the description, checked to speak this
// packer's protocol, or an error naming the binary and what to do.
func (s *Supervisor) Describe(ctx context.Context, path string, logger *log.Logger) (Description, error) {
	binary := filepath.Base(path)
	timeout, err := StartTimeoutFromEnv()
	if err != nil {
		return Description{}, fmt.Errorf("cannot run %s describe: %w", binary, err)
	}
	out, err := s.Run(ctx, OneShot{
		Path:      path,
		Args:      []string{"describe"},
		Name:      binary + " describe",
		MaxOutput: maxDescription,
		Timeout:   timeout,
		Logger:    logger,
	})
	const isIt = "Is it a multi-component Packer plugin?"
	switch {
	case errors.Is(err, ErrTimeout):
		return Description{}, fmt.Errorf("%w; set %s to wait longer. %s", err, TimeoutEnv, isIt)
	case errors.Is(err, ErrOutputLimit):
		return Description{}, fmt.Errorf("%w: a plugin's description is a few lines of JSON. %s", err, isIt)
	case err != nil && !errors.Is(err, ErrStopped) && !errors.Is(err, context.Canceled):
		return Description{}, fmt.Errorf("%w\n%s", err, isIt)
	case err != nil:
		return Description{}, err
	}
	return ReadDescription(out, path)
}
