package archive

import (
	"fmt"
	"strings"
)

// Compression is the stream compression of an archive, or of the one file a
// Single format holds. Its value is the name users and check tools know.
type Compression string

// The compressions. BGZF is gzip framed in independent blocks of at most
// 64 KiB, each a gzip member with a "BC" extra field giving its size, as
// samtools and htslib write it: any gzip reader reads it whole, and BGZF
// readers seek in it.
const (
	NoCompression Compression = "none"
	Gzip          Compression = "gzip"
	BGZF          Compression = "bgzf"
	LZ4           Compression = "lz4"
	XZ            Compression = "xz"
	Bzip2         Compression = "bzip2"
	Zstd          Compression = "zstd"
)

// Compressions lists every compression, in the order documentation shows
// them.
var Compressions = []Compression{NoCompression, Gzip, BGZF, LZ4, XZ, Bzip2, Zstd}

// Extension is the compression's file name extension, without the dot ("gz"
// for gzip), or "" for NoCompression.
func (c Compression) Extension() string {
	switch c {
	case Gzip:
		return "gz"
	case Bzip2:
		return "bz2"
	case Zstd:
		return "zst"
	case NoCompression:
		return ""
	}
	return string(c)
}

// Parallel reports whether the compression uses several cores.
func (c Compression) Parallel() bool {
	switch c {
	case Gzip, BGZF, LZ4, Zstd:
		return true
	}
	return false
}

func (c Compression) valid() bool {
	for _, known := range Compressions {
		if c == known {
			return true
		}
	}
	return false
}

// Container is how an archive holds its files.
type Container string

// The containers. Single holds the content of exactly one file, compressed,
// with no name or mode (a .gz, .xz, ...).
const (
	Tar    Container = "tar"
	Zip    Container = "zip"
	Single Container = "single"
)

// Format is a container and the compression of its stream. A zip compresses
// each member itself (deflate) and takes NoCompression; a Single takes any
// compression but NoCompression.
type Format struct {
	Container   Container
	Compression Compression
}

// String is the format's canonical name, which is also its file name
// extension: "tar", "tar.gz", "zip", "gz", "lz4", "tar.bz2", ...
func (f Format) String() string {
	switch f.Container {
	case Zip:
		return "zip"
	case Single:
		return f.Compression.Extension()
	}
	if ext := f.Compression.Extension(); ext != "" {
		return "tar." + ext
	}
	return "tar"
}

// Check reports a format that cannot be written.
func (f Format) Check() error {
	if !f.Compression.valid() {
		return fmt.Errorf("unknown compression %q (use one of %s)", f.Compression, joinCompressions())
	}
	switch f.Container {
	case Tar:
	case Zip:
		if f.Compression != NoCompression {
			return fmt.Errorf("a zip compresses its members itself; it takes no %s compression", f.Compression)
		}
	case Single:
		if f.Compression == NoCompression {
			return fmt.Errorf("a single file needs a compression (one of %s)", joinCompressions())
		}
	default:
		return fmt.Errorf("unknown container %q (use tar, zip or single)", f.Container)
	}
	return nil
}

func joinCompressions() string {
	var names []string
	for _, c := range Compressions {
		if c != NoCompression {
			names = append(names, string(c))
		}
	}
	return strings.Join(names, ", ")
}

// aliases are the short extensions that name a compressed tar.
var aliases = map[string]Format{
	"tgz":  {Tar, Gzip},
	"tzst": {Tar, Zstd},
	"txz":  {Tar, XZ},
	"tbz2": {Tar, Bzip2},
	"tbz":  {Tar, Bzip2},
}

// ParseFormat reads a format's name as String writes it ("tar.gz", "zip",
// "xz"), or one of the short names tgz, tzst, txz, tbz2 and tbz.
func ParseFormat(name string) (Format, error) {
	if f, ok := aliases[name]; ok {
		return f, nil
	}
	if name == "zip" {
		return Format{Zip, NoCompression}, nil
	}
	if name == "tar" {
		return Format{Tar, NoCompression}, nil
	}
	container, ext := Single, name
	if rest, ok := strings.CutPrefix(name, "tar."); ok {
		container, ext = Tar, rest
	}
	for _, c := range Compressions {
		if c != NoCompression && c.Extension() == ext {
			return Format{container, c}, nil
		}
	}
	return Format{}, fmt.Errorf("unknown archive format %q (use %s)", name, strings.Join(FormatNames(), ", "))
}

// FormatNames lists the name of every format ParseFormat reads, the tar
// formats first.
func FormatNames() []string {
	names := []string{"tar"}
	for _, c := range Compressions[1:] {
		names = append(names, Format{Tar, c}.String())
	}
	names = append(names, "tgz", "tzst", "txz", "tbz2", "tbz", "zip")
	for _, c := range Compressions[1:] {
		names = append(names, Format{Single, c}.String())
	}
	return names
}
