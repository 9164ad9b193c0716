package replicate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Declarations are the sites a server replicates to, from flags
// (--replication-target ID=URL[,region=R][,generic], with the keys in the
// environment) and a JSON file (--replication-config):
//
//	{"targets": [{"id": "paris", "url": "https://s3.paris.example", "region": "eu-west-3",
//	              "accessKey": "...", "secretKey": "...", "generic": false}]}
//
// A rule names a site by its id: arn:cairn:s3::<id>:<bucket>.
type Declarations struct {
	Targets []TargetSpec `json:"targets,omitempty"`
}

// TargetSpec declares one site.
type TargetSpec struct {
	ID        string `json:"id"`
	URL       string `json:"url"`              // the site's S3 endpoint, http(s)://host[:port]
	Region    string `json:"region,omitempty"` // us-east-1 when empty
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"` // never logged
	// Generic marks a destination that is not cairn (AWS S3, MinIO, ...):
	// replicas are written as ordinary objects there, with that store's
	// own version ids, and ACLs are not replicated.
	Generic bool `json:"generic,omitempty"`
}

// LogValue keeps the secret key out of logs.
func (t TargetSpec) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", t.ID), slog.String("url", t.URL), slog.String("region", t.Region),
		slog.String("accessKey", t.AccessKey), slog.Bool("generic", t.Generic))
}

var idChars = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// check validates a declaration.
func (t TargetSpec) check() error {
	if !idChars.MatchString(t.ID) {
		return fmt.Errorf("replication target id %q: use 1-64 letters, digits, '-' or '_'", t.ID)
	}
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("replication target %s: not an http(s) URL", t.ID)
	}
	if u.User != nil {
		return fmt.Errorf("replication target %s: keys go in the environment or the config file, not in the URL", t.ID)
	}
	if t.AccessKey == "" || t.SecretKey == "" {
		return fmt.Errorf("replication target %s: no keys (set %s and %s, or the config file's accessKey and secretKey)",
			t.ID, EnvAccessKey(t.ID), EnvSecretKey(t.ID))
	}
	return nil
}

// EnvAccessKey and EnvSecretKey name the environment variables holding a
// flag-declared site's keys: CAIRN_REPLICATION_<ID>_ACCESS_KEY, with the
// id upper-cased and '-' written '_'.
func EnvAccessKey(id string) string { return "CAIRN_REPLICATION_" + envID(id) + "_ACCESS_KEY" }

// EnvSecretKey: see EnvAccessKey.
func EnvSecretKey(id string) string { return "CAIRN_REPLICATION_" + envID(id) + "_SECRET_KEY" }

func envID(id string) string { return strings.ToUpper(strings.ReplaceAll(id, "-", "_")) }

// ParseTargetFlag parses "ID=URL[,region=R][,generic]" and takes the
// site's keys from getenv (os.Getenv in production).
func ParseTargetFlag(v string, getenv func(string) string) (TargetSpec, error) {
	id, rest, ok := strings.Cut(v, "=")
	if !ok || id == "" || rest == "" {
		return TargetSpec{}, fmt.Errorf("--replication-target %q: want ID=URL[,region=R][,generic]", v)
	}
	parts := strings.Split(rest, ",")
	t := TargetSpec{ID: id, URL: parts[0], AccessKey: getenv(EnvAccessKey(id)), SecretKey: getenv(EnvSecretKey(id))}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(p, "=")
		switch k {
		case "region":
			t.Region = val
		case "generic":
			t.Generic = true
		default:
			return TargetSpec{}, fmt.Errorf("--replication-target %s: unknown option %q (region, generic)", id, k)
		}
	}
	return t, nil
}

// LoadDeclarations reads a --replication-config file. Unknown fields are
// refused, so that a misspelt one is not silently ignored.
func LoadDeclarations(path string) (Declarations, error) {
	var d Declarations
	b, err := os.ReadFile(path)
	if err != nil {
		return d, fmt.Errorf("--replication-config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("--replication-config %s: %w", path, err)
	}
	return d, nil
}

// Check validates every declaration; ids must be unique.
func (d Declarations) Check() error {
	seen := map[string]bool{}
	for _, t := range d.Targets {
		if err := t.check(); err != nil {
			return err
		}
		if seen[t.ID] {
			return fmt.Errorf("replication target id %q declared twice", t.ID)
		}
		seen[t.ID] = true
	}
	return nil
}

// IDs lists the declared sites' ids.
func (d Declarations) IDs() []string {
	out := make([]string, len(d.Targets))
	for i, t := range d.Targets {
		out[i] = t.ID
	}
	return out
}
