package tree

import "os"

// basePath is the PATH of commands in the tree: a root filesystem's, not
// this machine's.
const basePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// commandEnv is the environment of a command in the tree: a clean one, for
// this machine's paths (PATH, HOME, TMPDIR) mean nothing in the tree, with
// the settings of the user's terminal and locale kept, then extra.
func commandEnv(extra []string) []string {
	env := []string{"PATH=" + basePath, "HOME=/root"}
	for _, name := range []string{"TERM", "LANG", "LC_ALL", "TZ"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return append(env, extra...)
}
