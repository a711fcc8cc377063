package compress

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/packer-classic/packer/internal/archive"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// files is an artifact of files.
type files []string

func (f files) BuilderId() string { return "test" }
func (f files) Files() []string   { return f }
func (f files) Id() string        { return "files" }
func (f files) String() string    { return "files" }
func (f files) State(string) any  { return nil }
func (f files) Destroy() error    { return nil }

// inputs makes, in a fresh working directory, a file only its owner reads
// (as Packer's file builder writes) and an executable script in a
// subdirectory, and returns their relative paths.
func inputs(t *testing.T) files {
	t.Helper()
	t.Chdir(t.TempDir())
	os.Mkdir("sub", 0o755)
	os.WriteFile("disk.img", bytes.Repeat([]byte("disk"), 1000), 0o600)
	os.WriteFile("sub/run.sh", []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.Chmod("disk.img", 0o600)
	os.Chmod("sub/run.sh", 0o755)
	return files{"disk.img", "sub/run.sh"}
}

func compress(t *testing.T, config map[string]any, in packer.Artifact) (packer.Artifact, *packertest.Ui, error) {
	t.Helper()
	p := new(PostProcessor)
	if err := p.Prepare(config, map[string]any{packer.BuildNameConfigKey: "potato", packer.BuilderTypeConfigKey: "null"}); err != nil {
		return nil, nil, err
	}
	ui := &packertest.Ui{}
	a, keep, err := p.PostProcess(context.Background(), ui, in)
	if keep {
		t.Error("compress asked to keep its input; in Packer only keep_input_artifact (read by the core) does")
	}
	return a, ui, err
}

type member struct {
	content string
	mode    os.FileMode
}

func readTar(t *testing.T, r io.Reader) (map[string]member, []string) {
	t.Helper()
	got, order := map[string]member{}, []string{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return got, order
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Format != tar.FormatGNU {
			t.Errorf("%s: tar header format %v; Packer writes GNU (Google Compute Engine imports no other)", hdr.Name, hdr.Format)
		}
		data, _ := io.ReadAll(tr)
		got[hdr.Name] = member{string(data), hdr.FileInfo().Mode()}
		order = append(order, hdr.Name)
	}
}

func open(t *testing.T, path string, c archive.Compression) io.Reader {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = bytes.NewReader(data)
	switch c {
	case archive.Gzip:
		if r, err = gzip.NewReader(r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	case archive.Bzip2:
		r = bzip2.NewReader(r)
	case archive.Zstd:
		zr, err := zstd.NewReader(r)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		t.Cleanup(zr.Close)
		r = zr
	}
	return r
}

func wantMembers(in files) map[string]member {
	want := map[string]member{}
	for _, f := range in {
		data, _ := os.ReadFile(f)
		info, _ := os.Stat(f)
		want[filepath.Base(f)] = member{string(data), info.Mode()}
	}
	return want
}

func TestDetect_picksTheFormatAsPackerDoes(t *testing.T) {
	tarOf := func(c archive.Compression) archive.Format {
		return archive.Format{Container: archive.Tar, Compression: c}
	}
	single := func(c archive.Compression) archive.Format {
		return archive.Format{Container: archive.Single, Compression: c}
	}
	zipFormat := archive.Format{Container: archive.Zip, Compression: archive.NoCompression}
	for _, c := range []struct {
		output, format string
		want           archive.Format
		known          bool
	}{
		{"out.tar", "", tarOf(archive.NoCompression), true},
		{"out.tar.gz", "", tarOf(archive.Gzip), true},
		{"out.tgz", "", tarOf(archive.Gzip), true},
		{"out.zip", "", zipFormat, true},
		{"out.gz", "", single(archive.Gzip), true},
		{"out.lz4", "", single(archive.LZ4), true},
		{"out.tar.lz4", "", tarOf(archive.LZ4), true},
		{"out.xz", "", single(archive.XZ), true},
		{"out.tar.xz", "", tarOf(archive.XZ), true},
		{"out.bgzf", "", single(archive.BGZF), true},
		{"out.tar.bgzf", "", tarOf(archive.BGZF), true},
		{"out.zip.gz", "", single(archive.Gzip), true},
		{"out.tar.zip", "", zipFormat, true},
		{"{{.BuildName}}-{{.BuilderType}}.tar", "", tarOf(archive.NoCompression), true},
		{"out/{{.BuildName}}.tar.gz", "gz", single(archive.Gzip), true},
		{"archive.bin", "zip", zipFormat, true},
		{"archive", "tar.xz", tarOf(archive.XZ), true},
		// No extension Packer knows: a tar.gz under the name as given.
		{DefaultOutput, "", tarOf(archive.Gzip), false},
		{"out.bin", "", tarOf(archive.Gzip), false},
		{"out.tar.rar", "", tarOf(archive.Gzip), false},
		{"dir.d/image", "", tarOf(archive.Gzip), false},
		{"OUT.ZIP", "", tarOf(archive.Gzip), false},
		{"archive", "gzip", tarOf(archive.Gzip), false},
		// Where Packer writes a tar.gz, the format the name says.
		{"out.zst", "", single(archive.Zstd), true},
		{"out.tar.zst", "", tarOf(archive.Zstd), true},
		{"out.tzst", "", tarOf(archive.Zstd), true},
		{"out.bz2", "", single(archive.Bzip2), true},
		{"out.tar.bz2", "", tarOf(archive.Bzip2), true},
		{"out.tbz2", "", tarOf(archive.Bzip2), true},
		{"out.txz", "", tarOf(archive.XZ), true},
	} {
		got, known := detect(c.output, c.format)
		if got != c.want || known != c.known {
			t.Errorf("output %q format %q: %v (known %v), want %v (known %v)", c.output, c.format, got, known, c.want, c.known)
		}
	}
}

func TestCompress_tarsKeepTheFilesModesUnderTheirBaseNames(t *testing.T) {
	in := inputs(t)
	for ext, c := range map[string]archive.Compression{"tar": archive.NoCompression, "tar.gz": archive.Gzip, "tgz": archive.Gzip, "tar.zst": archive.Zstd, "tar.bz2": archive.Bzip2} {
		out := "out." + ext
		a, _, err := compress(t, map[string]any{"output": out}, in)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		if !slices.Equal(a.Files(), []string{out}) {
			t.Errorf("%s: artifact files %v", ext, a.Files())
		}
		got, order := readTar(t, open(t, out, c))
		if want := wantMembers(in); len(got) != len(want) || got["disk.img"] != want["disk.img"] || got["run.sh"] != want["run.sh"] {
			t.Errorf("%s holds %v, want %v", ext, got, want)
		}
		if strings.Join(order, " ") != "disk.img run.sh" {
			t.Errorf("%s: members in order %v, want the artifact's", ext, order)
		}
	}
}

func TestCompress_theArchiveHasTheModeOsCreateGives(t *testing.T) {
	in := inputs(t)
	ref, _ := os.Create("reference")
	ref.Close()
	refInfo, _ := os.Stat("reference")
	for _, out := range []string{"out.tar", "out.zip", "out.gz"} {
		if _, _, err := compress(t, map[string]any{"output": out}, in[:1]); err != nil {
			t.Fatal(err)
		}
		if info, _ := os.Stat(out); info.Mode() != refInfo.Mode() {
			t.Errorf("%s has mode %v; Packer's os.Create gives %v", out, info.Mode(), refInfo.Mode())
		}
	}
}

func TestCompress_defaultOutputIsPackersNameAndATarGz(t *testing.T) {
	in := inputs(t)
	a, ui, err := compress(t, map[string]any{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if a.String() != "compressed artifacts in: packer_potato_null" {
		t.Errorf("artifact %q", a.String())
	}
	got, _ := readTar(t, open(t, "packer_potato_null", archive.Gzip))
	if len(got) != 2 {
		t.Errorf("the default archive holds %v", got)
	}
	if !strings.Contains(said(ui), "packer_potato_null has no extension compress knows; writing a tar.gz, as Packer does") {
		t.Errorf("Ui said %q", said(ui))
	}
}

func TestCompress_zipMembersAreTheArtifactsPaths(t *testing.T) {
	in := inputs(t)
	abs, _ := filepath.Abs("disk.img")
	os.WriteFile("up.txt", []byte("up"), 0o644)
	os.Mkdir("down", 0o755)
	for _, c := range []struct {
		file, name string
	}{
		{in[0], "disk.img"},
		{in[1], "sub/run.sh"},
		{"./sub/run.sh", "./sub/run.sh"},
		{abs, strings.TrimPrefix(filepath.ToSlash(abs), "/")},
		{"down/../up.txt", "up.txt"},
	} {
		if _, _, err := compress(t, map[string]any{"output": "out.zip"}, files{c.file}); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.OpenReader("out.zip")
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != c.name {
			t.Errorf("%s is in the zip as %v, want %q", c.file, zr.File, c.name)
		}
		if info, _ := os.Stat(c.file); zr.File[0].Mode() != info.Mode() {
			t.Errorf("%s has mode %v in the zip, %v on disk", c.file, zr.File[0].Mode(), info.Mode())
		}
		zr.Close()
	}
}

func TestCompress_anArtifactWithNoFilesGivesAnEmptyArchive(t *testing.T) {
	inputs(t)
	if _, _, err := compress(t, map[string]any{"output": "null.zip"}, files{}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader("null.zip")
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 0 {
		t.Errorf("the zip of nothing holds %v", zr.File)
	}
	zr.Close()
	if _, _, err := compress(t, map[string]any{"output": "null.tar.gz"}, files{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := readTar(t, open(t, "null.tar.gz", archive.Gzip)); len(got) != 0 {
		t.Errorf("the tar of nothing holds %v", got)
	}
}

func TestCompress_aSingleFileFormatOfSeveralFilesFailsLeavingAnEmptyStreamAsPackerDoes(t *testing.T) {
	in := inputs(t)
	for _, art := range []files{in, {}} {
		_, _, err := compress(t, map[string]any{"output": "multi.gz"}, art)
		if err == nil || !strings.Contains(err.Error(), "output: a .gz holds one file and the artifact has") || !strings.Contains(err.Error(), "name the output .tar.gz or .zip") {
			t.Errorf("%d files into a .gz: %v", len(art), err)
		}
		content, err := io.ReadAll(open(t, "multi.gz", archive.Gzip))
		if err != nil || len(content) != 0 {
			t.Errorf("multi.gz holds %q, %v; Packer leaves an empty gzip stream", content, err)
		}
		os.Remove("multi.gz")
	}
	for _, f := range in {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("the failed compress lost its input: %v", err)
		}
	}
}

func TestCompress_singleFileFormatsHoldTheFilesContent(t *testing.T) {
	in := inputs(t)
	for ext, c := range map[string]archive.Compression{"gz": archive.Gzip, "bz2": archive.Bzip2, "zst": archive.Zstd} {
		out := "disk.img." + ext
		_, ui, err := compress(t, map[string]any{"output": out}, in[:1])
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(open(t, out, c))
		if !bytes.Equal(data, bytes.Repeat([]byte("disk"), 1000)) {
			t.Errorf(".%s holds %d bytes, not the file", ext, len(data))
		}
		if !strings.Contains(said(ui), "Archiving disk.img with "+string(c)) {
			t.Errorf("Ui said %q", said(ui))
		}
	}
}

func TestCompress_levelsOutOfRangeAreTakenAsPackerTakesThem(t *testing.T) {
	in := inputs(t)
	_, ui, err := compress(t, map[string]any{"output": "l99.tar.gz", "compression_level": 99}, in)
	if err != nil {
		t.Fatalf("level 99: %v", err)
	}
	if !strings.Contains(said(ui), "compression_level 99 is above 9, the highest; using 9") {
		t.Errorf("Ui said %q", said(ui))
	}
	if best := open(t, "l99.tar.gz", archive.NoCompression).(*bytes.Reader); best.Len() < 10 {
		t.Error("level 99 wrote nothing")
	}
	for _, level := range []int{-1, 0, 1, 9} {
		if _, _, err := compress(t, map[string]any{"output": "l.tar.gz", "compression_level": level}, in); err != nil {
			t.Errorf("level %d: %v", level, err)
		}
	}
	if _, _, err := compress(t, map[string]any{"output": "l.tar.gz", "compression_level": -5}, in); err == nil || !strings.Contains(err.Error(), "compression_level: -5 is below -1") {
		t.Errorf("level -5: %v", err)
	}
}

func TestCompress_saysHowManyCoresEachCompressionUses(t *testing.T) {
	in := inputs(t)
	for out, want := range map[string]string{
		"a.tar.lz4":  "cores for a.tar.lz4",
		"a.tar.bgzf": "cores for a.tar.bgzf",
		"a.tar.xz":   "Using xz compression with 1 core for a.tar.xz",
		"a.tar.bz2":  "Using bzip2 compression with 1 core for a.tar.bz2",
	} {
		_, ui, err := compress(t, map[string]any{"output": out}, in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(said(ui), want) || !strings.Contains(said(ui), "Archive "+out+" completed") {
			t.Errorf("%s: Ui said %q", out, said(ui))
		}
	}
}

func TestCompress_leavesItsInputAndItsArtifactIsPackers(t *testing.T) {
	in := inputs(t)
	a, _, err := compress(t, map[string]any{"output": "keep.zip", "keep_input_artifact": true}, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range in {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("compress removed its input itself: %v", err)
		}
	}
	if a.BuilderId() != BuilderId || a.Id() != "" || a.String() != "compressed artifacts in: keep.zip" || !slices.Equal(a.Files(), []string{"keep.zip"}) || a.State("x") != nil {
		t.Errorf("artifact %q %q %q %v", a.BuilderId(), a.Id(), a.String(), a.Files())
	}
	if err := a.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("keep.zip"); err == nil {
		t.Error("Destroy left the archive")
	}
}

func TestCompress_aFailureNamesTheFileAndLeavesNoPartialArchive(t *testing.T) {
	in := inputs(t)
	os.WriteFile("broken.tar.gz", []byte("before"), 0o644)
	_, _, err := compress(t, map[string]any{"output": "broken.tar.gz"}, files{in[0], "missing"})
	if err == nil || !strings.Contains(err.Error(), "compressing missing into broken.tar.gz") {
		t.Errorf("missing input: %v", err)
	}
	if _, _, err := compress(t, map[string]any{"output": "dir.tar"}, files{"sub"}); err == nil || !strings.Contains(err.Error(), "sub is a directory") {
		t.Errorf("a directory: %v", err)
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if strings.Contains(e.Name(), ".part") || e.Name() == "dir.tar" {
			t.Errorf("a failed compress left %s", e.Name())
		}
	}
	if data, _ := os.ReadFile("broken.tar.gz"); string(data) != "before" {
		t.Errorf("a failed compress replaced the file that was there: %q", data)
	}
}

func TestCompress_anOutputRenderedOutsideTheWorkingDirectoryIsRefused(t *testing.T) {
	in := inputs(t)
	p := new(PostProcessor)
	if err := p.Prepare(map[string]any{"output": "{{.BuildName}}/x.tar"}, map[string]any{packer.BuildNameConfigKey: "../.."}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, in); err == nil || !strings.Contains(err.Error(), "leaves the working directory") {
		t.Errorf("PostProcess = %v", err)
	}
}

func TestPrepare_reportsABadTemplate(t *testing.T) {
	if err := new(PostProcessor).Prepare(map[string]any{"output": "{{.BuildName"}); err == nil || !strings.HasPrefix(err.Error(), "output: ") {
		t.Errorf("Prepare = %v", err)
	}
	if err := new(PostProcessor).Prepare(map[string]any{"outptu": "x.tar"}); err == nil || !strings.Contains(err.Error(), "outptu") {
		t.Errorf("an unknown key: %v", err)
	}
}

// said is everything the post-processor told the Ui.
func said(ui *packertest.Ui) string { return strings.Join(ui.Lines(), "\n") }
