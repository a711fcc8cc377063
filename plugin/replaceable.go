package plugin

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// replaceableBy says why another user of the machine could swap the plugin
// at path for a program of their own, which packer would then run as this
// user: the file itself is world-writable, or the directory it was found in
// is (even with the sticky bit, which keeps others from replacing a file
// they do not own but not from planting one first). "" when neither.
//
// Only the file and its own directory are checked, not the directories
// above it nor a symlink's target; on Windows, whose permissions are ACLs
// that mode bits do not show, nothing is.
func replaceableBy(path string) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o002 != 0 {
		return fmt.Sprintf("Warning: plugin %s is world-writable: any user of this machine can replace it with a program packer would run as you; run chmod o-w %s",
			path, path)
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err == nil && info.Mode().Perm()&0o002 != 0 {
		return fmt.Sprintf("Warning: plugin %s is in the world-writable directory %s: any user of this machine can put a program packer would run as you in its place; move the plugin, or run chmod o-w %s",
			path, dir, dir)
	}
	return ""
}

// warnIfReplaceable tells d.Warn about f when another user could have
// replaced it.
func (d Discovery) warnIfReplaceable(f Found) {
	if d.Warn == nil {
		return
	}
	if message := replaceableBy(f.Path); message != "" {
		d.Warn(message)
	}
}

// WarnOnce returns a Discovery.Warn that passes each distinct message to
// warn once: discovery runs for every component of every build, and one
// warning about a plugin is enough. It is safe for concurrent use, as builds
// run in parallel.
func WarnOnce(warn func(message string)) func(message string) {
	var mu sync.Mutex
	said := make(map[string]bool)
	return func(message string) {
		mu.Lock()
		first := !said[message]
		said[message] = true
		mu.Unlock()
		if first {
			warn(message)
		}
	}
}
