package replicate

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTargetFlagTakesKeysFromTheEnvironment(t *testing.T) {
	env := map[string]string{"CAIRN_REPLICATION_PARIS_2_ACCESS_KEY": "AK", "CAIRN_REPLICATION_PARIS_2_SECRET_KEY": "SK"}
	got, err := ParseTargetFlag("paris-2=https://s3.paris.example,region=eu-west-3,generic", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := TargetSpec{ID: "paris-2", URL: "https://s3.paris.example", Region: "eu-west-3", AccessKey: "AK", SecretKey: "SK", Generic: true}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"paris", "=http://x", "p=http://x,colour=red"} {
		if _, err := ParseTargetFlag(bad, func(string) string { return "k" }); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestDeclarationsAreChecked(t *testing.T) {
	ok := TargetSpec{ID: "a", URL: "http://127.0.0.1:9000", AccessKey: "AK", SecretKey: "SK"}
	with := func(f func(*TargetSpec)) Declarations {
		t := ok
		f(&t)
		return Declarations{Targets: []TargetSpec{t}}
	}
	if err := (Declarations{Targets: []TargetSpec{ok}}).Check(); err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]Declarations{
		"bad id":      with(func(t *TargetSpec) { t.ID = "a:b" }),
		"not http":    with(func(t *TargetSpec) { t.URL = "ftp://x" }),
		"keys in URL": with(func(t *TargetSpec) { t.URL = "http://AK:SK@x" }),
		"no secret":   with(func(t *TargetSpec) { t.SecretKey = "" }),
		"twice":       {Targets: []TargetSpec{ok, ok}},
	} {
		if err := d.Check(); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "SK") {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, []byte(`{"targets":[{"id":"a","url":"http://x","accesKey":"AK"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDeclarations(path); err == nil {
		t.Fatal("a misspelt field was ignored")
	}
}

func TestSecretsNeverReachTheLog(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("site", "site", TargetSpec{ID: "a", URL: "http://x", AccessKey: "AK", SecretKey: "s3cr3t"})
	if strings.Contains(buf.String(), "s3cr3t") || !strings.Contains(buf.String(), "AK") {
		t.Fatalf("logged %q", buf.String())
	}
}
