package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cairnstore/cairn/engine"
)

// Data directory layout:
//
//	<data>/LOCK              flock held by the one process using the directory
//	<data>/node              this node's id (random, created once)
//	<data>/credentials.json  generated root credentials (mode 0600)
//	<data>/master.key        generated master key sealing users' secrets (mode 0600)
//	<data>/nats/             embedded JetStream store: the event log
//	<data>/index/            Pebble projections (rebuildable from the log)
//	<data>/segments/         object bytes (disk 0; with --disk only read and compacted)
//	<data>/disks.json        the next disk number to hand out (engine/blob)
//	<disk>/CAIRN-DISK        each disk's node and number, whatever the --disk order
const (
	lockFile      = "LOCK"
	nodeFile      = "node"
	credsFile     = "credentials.json"
	masterKeyFile = "master.key"
	natsDir       = "nats"
	indexDir      = "index"
	segsDir       = "segments"
)

// lockDir takes an exclusive flock on the data directory.
func lockDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data dir lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir %s is in use by another cairn process", dir)
	}
	return f, nil
}

// nodeID returns the node id stored in the data dir, creating it once.
func nodeID(dir string) (string, error) {
	p := filepath.Join(dir, nodeFile)
	b, err := os.ReadFile(p)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	id := hex.EncodeToString(r[:])
	if err := writeFileSync(p, []byte(id+"\n"), 0o644); err != nil {
		return "", err
	}
	return id, nil
}

// RootCredentials are the credentials of the root user.
type RootCredentials struct {
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
}

// rootCredentials returns the environment's credentials when given, else
// those stored in the data dir, else new ones stored there (mode 0600);
// generated reports the last case, the only time they may be printed.
func rootCredentials(dir string, env RootCredentials) (c RootCredentials, generated bool, err error) {
	if env.AccessKey != "" || env.SecretKey != "" {
		if env.AccessKey == "" || env.SecretKey == "" {
			return c, false, errors.New("set both CAIRN_ROOT_ACCESS_KEY and CAIRN_ROOT_SECRET_KEY, or neither")
		}
		return env, false, nil
	}
	p := filepath.Join(dir, credsFile)
	b, err := os.ReadFile(p)
	if err == nil {
		if err := json.Unmarshal(b, &c); err != nil || c.AccessKey == "" || c.SecretKey == "" {
			return c, false, fmt.Errorf("%s is damaged; remove it to generate new root credentials", p)
		}
		return c, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return c, false, err
	}
	c.AccessKey, c.SecretKey = engine.NewKeyPair()
	b, _ = json.MarshalIndent(c, "", "  ")
	if err := writeFileSync(p, append(b, '\n'), 0o600); err != nil {
		return c, false, err
	}
	return c, true, nil
}

// writeFileSync writes a new file durably: temp file, fsync, rename, fsync
// of the directory.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// masterKey returns the 32-byte key that seals users' secrets in the log:
// CAIRN_MASTER_KEY (base64; required to be the same on every gateway of a
// cluster), else the data dir's master.key, created once.
func masterKey(dir, env string) ([]byte, error) {
	if env != "" {
		k, err := base64.StdEncoding.DecodeString(env)
		if err != nil || len(k) != 32 {
			return nil, errors.New("CAIRN_MASTER_KEY must be 32 bytes in base64 (e.g. head -c32 /dev/urandom | base64)")
		}
		return k, nil
	}
	p := filepath.Join(dir, masterKeyFile)
	b, err := os.ReadFile(p)
	if err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("%s is damaged", p)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k, writeFileSync(p, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), 0o600)
}
