package checksum

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

type files []string

func (f files) BuilderId() string { return "test" }
func (f files) Files() []string   { return f }
func (f files) Id() string        { return "files" }
func (f files) String() string    { return "files" }
func (f files) State(string) any  { return nil }
func (f files) Destroy() error    { return nil }

func TestChecksum_filesVerifyWithTheSumTools(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "disk.img"), filepath.Join(dir, "disk.vmdk")
	os.WriteFile(a, []byte("disk one"), 0o644)
	os.WriteFile(b, []byte("disk two"), 0o644)
	p := new(PostProcessor)
	err := p.Prepare(map[string]any{"checksum_types": []any{"sha256", "md5"}, "output": filepath.Join(dir, "{{.BuildName}}.{{.ChecksumType}}")},
		map[string]any{packer.BuildNameConfigKey: "potato", packer.BuilderTypeConfigKey: "null"})
	if err != nil {
		t.Fatal(err)
	}
	out, keep, err := p.PostProcess(context.Background(), &packertest.Ui{}, files{a, b})
	if err != nil || !keep {
		t.Fatalf("PostProcess = %v, keep %v", err, keep)
	}
	want := []string{a, b, filepath.Join(dir, "potato.sha256"), filepath.Join(dir, "potato.md5")}
	if strings.Join(out.Files(), " ") != strings.Join(want, " ") {
		t.Errorf("artifact files = %v, want the inputs then the checksum files %v", out.Files(), want)
	}
	for tool, file := range map[string]string{"sha256sum": want[2], "md5sum": want[3]} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("no %s here; skipping that check", tool)
			continue
		}
		cmd := exec.Command(tool, "-c", filepath.Base(file))
		cmd.Dir = dir
		if output, err := cmd.CombinedOutput(); err != nil || strings.Count(string(output), ": OK") != 2 {
			t.Errorf("%s -c %s: %v\n%s", tool, file, err, output)
		}
	}
}

func TestChecksum_defaultsAreMd5AndPackersFileName(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.txt")
	os.WriteFile(f, []byte("abc"), 0o644)
	p := new(PostProcessor)
	if err := p.Prepare(map[string]any{}, map[string]any{packer.BuildNameConfigKey: "b", packer.BuilderTypeConfigKey: "file"}); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, files{f}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "packer_b_file_md5.checksum"))
	if err != nil || string(got) != "900150983cd24fb0d6963f7d28e17f72\ta.txt\n" {
		t.Errorf("checksum file = %q, %v", got, err)
	}
}

func TestChecksum_parallelBuildsSharingOneFileEachAppendWholeLines(t *testing.T) {
	dir := t.TempDir()
	output := filepath.Join(dir, "all.sha256")
	const builds = 20
	errs := make(chan error, builds)
	for i := range builds {
		go func() {
			file := filepath.Join(dir, fmt.Sprintf("disk%02d.img", i))
			os.WriteFile(file, []byte(strings.Repeat("x", i+1)), 0o644)
			p := new(PostProcessor)
			err := p.Prepare(map[string]any{"checksum_types": []any{"sha256"}, "output": output},
				map[string]any{packer.BuildNameConfigKey: fmt.Sprint("b", i), packer.BuilderTypeConfigKey: "null"})
			if err == nil {
				_, _, err = p.PostProcess(context.Background(), &packertest.Ui{}, files{file})
			}
			errs <- err
		}()
	}
	for range builds {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(output)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != builds {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), builds, got)
	}
	for _, line := range lines {
		sum, name, ok := strings.Cut(line, "\t")
		if !ok || len(sum) != 64 || !strings.HasPrefix(name, "disk") {
			t.Errorf("a torn or interleaved line: %q", line)
		}
	}
}

func TestChecksum_errorsNameTheKeyOrFile(t *testing.T) {
	if err := new(PostProcessor).Prepare(map[string]any{"checksum_types": []any{"crc32"}}); err == nil || !strings.Contains(err.Error(), `checksum_types: unknown checksum "crc32"`) {
		t.Errorf("unknown type: %v", err)
	}
	p := new(PostProcessor)
	p.Prepare(map[string]any{"output": filepath.Join(t.TempDir(), "x")})
	if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, files{"/no/such/file"}); err == nil || !strings.Contains(err.Error(), "/no/such/file") {
		t.Errorf("missing input: %v", err)
	}
}

// TestChecksum_artifactIsTheInputAndTheNewChecksumFilesAsInPacker: Packer's
// checksum artifact lists the input's files and the checksum files it
// created, so a compress after it archives both and, destroying it,
// removes both; a checksum file that already existed is appended to but not
// listed (the second of two builds sharing one).
func TestChecksum_artifactIsTheInputAndTheNewChecksumFilesAsInPacker(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("one.txt", []byte("1\n"), 0o644)
	os.WriteFile("two.txt", []byte("2\n"), 0o644)
	run := func(build, file string) packer.Artifact {
		p := new(PostProcessor)
		if err := p.Prepare(map[string]any{"checksum_types": []any{"sha256"}, "output": "sums.{{.ChecksumType}}"},
			map[string]any{packer.BuildNameConfigKey: build, packer.BuilderTypeConfigKey: "file"}); err != nil {
			t.Fatal(err)
		}
		out, keep, err := p.PostProcess(context.Background(), &packertest.Ui{}, files{file})
		if err != nil || !keep {
			t.Fatalf("PostProcess = %v, keep %v; want no error and the input kept", err, keep)
		}
		return out
	}
	first, second := run("one", "one.txt"), run("two", "two.txt")
	if got := first.String(); got != "Created artifact from files: one.txt, sums.sha256" {
		t.Errorf("first build's artifact: %q", got)
	}
	if got := second.String(); got != "Created artifact from files: two.txt" {
		t.Errorf("second build's artifact: %q, want only its input: the checksum file existed", got)
	}
	if first.Id() != "" || first.BuilderId() != BuilderId {
		t.Errorf("Id %q, BuilderId %q; Packer's are \"\" and %q", first.Id(), first.BuilderId(), BuilderId)
	}
	if err := first.Destroy(); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"one.txt", "sums.sha256"} {
		if _, err := os.Stat(gone); !os.IsNotExist(err) {
			t.Errorf("Destroy left %s", gone)
		}
	}
	if _, err := os.Stat("two.txt"); err != nil {
		t.Errorf("Destroy of the first artifact removed another build's file: %v", err)
	}
}

func TestChecksum_anArtifactWithoutFilesWritesNoChecksumFile(t *testing.T) {
	t.Chdir(t.TempDir())
	p := new(PostProcessor)
	if err := p.Prepare(map[string]any{}, map[string]any{packer.BuildNameConfigKey: "n", packer.BuilderTypeConfigKey: "null"}); err != nil {
		t.Fatal(err)
	}
	out, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, files{})
	if err != nil || len(out.Files()) != 0 {
		t.Errorf("PostProcess = %v, %v; want an artifact of no files", out.Files(), err)
	}
	if _, err := os.Stat("packer_n_null_md5.checksum"); !os.IsNotExist(err) {
		t.Errorf("a checksum file was written for no files: %v", err)
	}
}
