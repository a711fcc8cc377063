package command

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer/packertest"
)

func TestMaskLog_hidesSensitiveValuesInPluginLogLines(t *testing.T) {
	var buf bytes.Buffer
	logger := log.New(&buf, "", 0)
	maskLog(logger, []string{"hunter2", ""})
	logger.Printf("packer-builder-x: connecting with password hunter2")
	if got := buf.String(); got != "packer-builder-x: connecting with password <sensitive>\n" {
		t.Errorf("log = %q", got)
	}
}

// secretForms are the ways a component can print the sensitive values
// "S3cr3t'x\"y&z/<w> +" and "line-one-AAA\nline-two-BBB": as given, line by
// line, JSON-encoded, Go-quoted, shell-escaped (either idiom, and then
// Go-quoted as an error quotes a command), URL-escaped.
func secretForms() (values, forms []string) {
	quote, multi := "S3cr3t'x\"y&z/<w> +", "line-one-AAA\nline-two-BBB"
	values = []string{quote, multi}
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	shell := strings.ReplaceAll(quote, "'", `'"'"'`)
	forms = []string{
		quote, multi, "line-one-AAA", "line-two-BBB",
		jsonOf(quote), jsonOf(multi),
		fmt.Sprintf("%q", quote), fmt.Sprintf("%q", multi),
		shell, strings.ReplaceAll(quote, "'", `'\''`), fmt.Sprintf("%q", "SECRET='"+shell+"' /tmp/script.sh"),
		url.QueryEscape(quote), url.PathEscape(quote), "https://example.com/?token=" + url.QueryEscape(quote),
	}
	return values, forms
}

// leakedPieces returns the distinctive pieces of secretForms' values that
// remain in out.
func leakedPieces(out string) []string {
	var found []string
	for _, piece := range []string{"S3cr3t", "AAA", "BBB"} {
		if strings.Contains(out, piece) {
			found = append(found, piece)
		}
	}
	return found
}

func TestMaskingUi_masksEveryFormOfASensitiveValue(t *testing.T) {
	values, forms := secretForms()
	for _, form := range forms {
		ui := &packertest.Ui{}
		masked := newMaskingUi(ui, values)
		text := "before " + form + " after"
		masked.Say(text)
		masked.Message(text)
		masked.Error(text)
		masked.Machine("error", "build", text)
		out := strings.Join(ui.Lines(), "\n")
		if found := leakedPieces(out); len(found) > 0 || !strings.Contains(out, "<sensitive>") {
			t.Errorf("the form %q was not masked whole: the Ui showed\n%s", form, out)
		}
	}
}

func TestMaskLog_masksEveryFormOfASensitiveValue(t *testing.T) {
	values, forms := secretForms()
	var buf bytes.Buffer
	logger := log.New(&buf, "", 0)
	maskLog(logger, values)
	for _, form := range forms {
		buf.Reset()
		logger.Printf("packer-provisioner-shell: running %s now", form)
		if found := leakedPieces(buf.String()); len(found) > 0 || !strings.Contains(buf.String(), "<sensitive>") {
			t.Errorf("the form %q was not masked whole: the log got %q", form, buf.String())
		}
	}
}

func TestMasker_leavesTextWithoutSecretsAloneAndNeverMasksBlanks(t *testing.T) {
	if m := newMasker([]string{"", "  ", "\n\t"}); m != nil {
		t.Errorf("blank values made a masker with forms %q", sensitiveForms([]string{"", "  "}))
	}
	m := newMasker([]string{"top\n\nsecret"})
	if got := m.mask("a line\n\nof text"); got != "a line\n\nof text" {
		t.Errorf("the blank line of a multi-line value masked text: %q", got)
	}
	if got := m.mask("top\n\nsecret and top"); got != "<sensitive> and <sensitive>" {
		t.Errorf("mask = %q: want the whole value masked as one, then each line", got)
	}
}

func TestArgsForLog_hidesEveryVarValueAndNothingElse(t *testing.T) {
	got := ArgsForLog([]string{"build", "-var", "token=hunter2", "--var=region=eu", "-var-file", "v.json", "-var", "novalue", "-only=a", "t.json", "--", "-var", "kept=1"})
	want := []string{"build", "-var", "token=<hidden>", "--var=region=<hidden>", "-var-file", "v.json", "-var", "<hidden>", "-only=a", "t.json", "--", "-var", "kept=1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ArgsForLog =\n %q\nwant\n %q", got, want)
	}
}

// BenchmarkMasker_aLogLineWithAPEMKeySensitive measures what masking costs
// each line of output when a 30-line private key is sensitive.
func BenchmarkMasker_aLogLineWithAPEMKeySensitive(b *testing.B) {
	var key strings.Builder
	key.WriteString("-----BEGIN PRIVATE KEY-----\n")
	for i := range 30 {
		fmt.Fprintf(&key, "%064d\n", i*7919)
	}
	key.WriteString("-----END PRIVATE KEY-----")
	m := newMasker([]string{key.String(), "hunter2"})
	line := "2026/12/01 21:00:36.228410 packer-builder-x: uploading /tmp/script_ABCDEFGHIJKLMNOPQRSTUVWXYZ.sh to the machine, 4096 bytes"
	b.ResetTimer()
	for range b.N {
		m.mask(line)
	}
	b.ReportMetric(float64(len(sensitiveForms([]string{key.String(), "hunter2"}))), "forms")
}
