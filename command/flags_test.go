package command

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestVarFlag_repeatableLaterWins(t *testing.T) {
	vars := varFlag{}
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.Var(vars, "var", "")
	if err := fs.Parse([]string{"-var", "a=1", "-var", "b=x=y", "-var", "a=2", "-var", "empty="}); err != nil {
		t.Fatal(err)
	}
	if vars["a"] != "2" || vars["b"] != "x=y" || vars["empty"] != "" || len(vars) != 3 {
		t.Errorf("vars = %v", vars)
	}
}

func TestVarFlag_rejectsMissingEquals(t *testing.T) {
	vars := varFlag{}
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.Var(vars, "var", "")
	err := parseFlags(fs, []string{"-var", "fruit"})
	if err == nil || !strings.Contains(err.Error(), "key=value") || !strings.Contains(err.Error(), "packer build -h") {
		t.Errorf("err = %v, want one explaining key=value and pointing at packer build -h", err)
	}
}

func TestListFlag_commaSeparatedAndRepeatable(t *testing.T) {
	var only listFlag
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.Var(&only, "only", "")
	if err := fs.Parse([]string{"-only=a, b", "-only", "c,"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(only, []string{"a", "b", "c"}) {
		t.Errorf("only = %q", only)
	}
}

func TestPathsFlag_keepsOrder(t *testing.T) {
	var files pathsFlag
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.Var(&files, "var-file", "")
	if err := fs.Parse([]string{"-var-file=b.json", "-var-file=a.json"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, []string{"b.json", "a.json"}) {
		t.Errorf("files = %q", files)
	}
	if err := fs.Parse([]string{"-var-file="}); err == nil {
		t.Error("want an error for an empty -var-file")
	}
}
