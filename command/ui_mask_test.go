package command

import (
	"bytes"
	"log"
	"testing"
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
