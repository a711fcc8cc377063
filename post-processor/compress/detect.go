package compress

import (
	"regexp"

	"github.com/packer-classic/packer/internal/archive"
)

// extensionPattern is how Packer finds an output's extensions: every run
// of lower-case letters and digits after a dot, anywhere in the path (so
// "{{.BuildName}}" has none: a capital follows its dot).
var extensionPattern = regexp.MustCompile(`\.([a-z0-9]+)`)

// packerDefault is what Packer writes when it knows no extension of the
// output: a tar.gz, under the name as given.
var packerDefault = archive.Format{Container: archive.Tar, Compression: archive.Gzip}

// detect picks the archive format as Packer does: from the last extension
// of output, or of output + "." + format when format is set, and the one
// before it: "tar" or "zip" last is that container; a compression's
// extension last is that compression, of a tar when "tar" comes before it
// and of the one file alone otherwise; anything else is a tar.gz. known
// reports whether an extension was recognised.
//
// Where Packer writes a tar.gz under a name that says otherwise (.zst,
// .tar.zst, .bz2, .tar.bz2, and the short names .tzst, .txz, .tbz2 and
// .tbz), this writes what the name says: that is the one deliberate
// difference.
func detect(output, format string) (f archive.Format, known bool) {
	name := output
	if format != "" {
		name += "." + format
	}
	exts := extensionPattern.FindAllStringSubmatch(name, -1)
	if len(exts) == 0 {
		return packerDefault, false
	}
	last, before := exts[len(exts)-1][1], ""
	if len(exts) > 1 {
		before = exts[len(exts)-2][1]
	}
	f, err := archive.ParseFormat(last)
	if err != nil {
		return packerDefault, false
	}
	if f.Container == archive.Single && before == "tar" {
		f.Container = archive.Tar
	}
	return f, true
}
