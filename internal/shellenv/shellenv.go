// Package shellenv is what the shell and shell-local provisioners share to
// hand their environment_vars to a script without putting the values on a
// command line, where every user of the machine can read them (ps, /proc):
// the variables go into a file, readable by its owner only, that the
// command sources, and {{.Vars}} in execute_command is the command that
// sources it.
package shellenv

import (
	"fmt"
	"strings"
)

// FileMode is the mode of a variables file: its owner's alone.
const FileMode = 0o600

// Content returns a variables file for a POSIX shell: each KEY=VALUE pair of
// vars written with format (env_var_format, "%s='%s' " by default), single
// quotes in the value escaped for a single-quoted shell word, one pair a
// line. The pairs sit between "set -a" and "set +a", so each assignment is
// exported to the script whether or not the format says export.
func Content(format string, vars []string) []byte {
	var b strings.Builder
	b.WriteString("set -a\n")
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, format, k, strings.ReplaceAll(v, "'", `'"'"'`))
		b.WriteString("\n")
	}
	b.WriteString("set +a\n")
	return []byte(b.String())
}

// Source returns what {{.Vars}} renders to for the variables file at path:
// ". PATH &&", so that "{{.Vars}} {{.Path}}" runs the script with the
// variables set, and "{{.Vars}} sudo -E ..." hands them on.
func Source(path string) string {
	return ". " + Quote(path) + " &&"
}

// Quote returns s as one shell word: as it is when it holds only characters
// no shell treats specially (so it also fits inside a single-quoted
// execute_command such as "sudo sh -c '{{.Vars}} {{.Path}}'"), single-quoted
// otherwise.
func Quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
