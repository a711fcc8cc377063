//go:build unix

package archive

import (
	"io/fs"
	"syscall"
)

// fileID identifies a file across its hard links.
type fileID struct{ dev, ino uint64 }

// hardLinked returns the identity of a file that has more than one name.
func hardLinked(info fs.FileInfo) (fileID, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || st.Nlink < 2 {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true
}
