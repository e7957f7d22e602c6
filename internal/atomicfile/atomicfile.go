// Package atomicfile writes files so that readers see either the old content
// or the complete new content, never a partial file: write to a temporary
// file in the same directory, fsync it, rename it over the target, fsync the
// directory.
package atomicfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces path with what write produces. On any error the
// temporary file is removed and path is left as it was.
func Write(path string, perm os.FileMode, write func(w io.Writer) error) error {
	return publish(path, perm, write, os.Rename)
}

// WriteNew is Write for a file that must not exist yet: it fails with an
// error wrapping os.ErrExist when path is already there, even when another
// process creates it at the same moment (the file is published with a hard
// link, which never replaces).
func WriteNew(path string, perm os.FileMode, write func(w io.Writer) error) error {
	return publish(path, perm, write, os.Link)
}

// publish writes a complete, synced temporary file next to path and hands
// it to place (rename or link); the temporary name never survives.
func publish(path string, perm os.FileMode, write func(w io.Writer) error, place func(tmp, path string) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		tmp.Close()           // a no-op error once closed
		os.Remove(tmp.Name()) // a no-op after a rename; drops the extra name after a link
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = place(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return SyncDir(dir)
}

// SHA256 returns the hex sha256 of the file at path, the hash the pipeline
// records for the files it writes.
func SHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteJSON writes v as indented JSON with Write.
func WriteJSON(path string, v any) error {
	return Write(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// SyncDir fsyncs a directory so a rename inside it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
