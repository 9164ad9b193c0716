package blob

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

const (
	identityFile   = "CAIRN-DISK"
	registryFile   = "disks.json"
	identityFormat = 1
)

// identity is the content of a disk's identity file.
type identity struct {
	Format int    `json:"format"`
	Node   string `json:"node"`
	Disk   uint16 `json:"disk"`
}

// readIdentity returns dir's identity; found is false when it has none.
func readIdentity(fs vfs.FS, dir string) (id identity, found bool, err error) {
	b, err := readFile(fs, fs.PathJoin(dir, identityFile))
	if errors.Is(err, os.ErrNotExist) {
		return id, false, nil
	}
	if err != nil {
		return id, false, err
	}
	if err := json.Unmarshal(b, &id); err != nil || id.Format != identityFormat || id.Node == "" {
		return id, false, fmt.Errorf("blob: %s is damaged or of an unknown format", fs.PathJoin(dir, identityFile))
	}
	return id, true, nil
}

// registry is the data directory's record of the disk numbers handed out.
type registry struct {
	Next uint16 `json:"next"`
}

func readRegistry(fs vfs.FS, dataDir string) (registry, error) {
	r := registry{Next: 1}
	b, err := readFile(fs, fs.PathJoin(dataDir, registryFile))
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Next == 0 {
		return r, fmt.Errorf("blob: %s is damaged", fs.PathJoin(dataDir, registryFile))
	}
	return r, nil
}

func readFile(fs vfs.FS, path string) ([]byte, error) {
	f, err := fs.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// writeFileDurably writes path atomically: a temporary file, fsync,
// rename, fsync of the directory.
func writeFileDurably(fs vfs.FS, path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := fs.Create(tmp, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	if err := fs.Rename(tmp, path); err != nil {
		return err
	}
	d, err := fs.OpenDir(fs.PathDir(path))
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// hasSegments reports whether dir holds segment files.
func hasSegments(fs vfs.FS, dir string) (bool, error) {
	names, err := fs.List(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if strings.HasSuffix(n, ".seg") || strings.HasSuffix(n, ".open") {
			return true, nil
		}
	}
	return false, nil
}
