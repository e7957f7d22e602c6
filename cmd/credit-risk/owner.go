package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/credit-risk/credit-risk/internal/runas"
)

// envRunAsOwner, set by the training image, makes a process started as root
// switch at once to the owner of its working folders (DATA_DIR, MODELS_DIR,
// ARTIFACTS_DIR), or to the uid:gid it holds when root owns them all.
const envRunAsOwner = "RUN_AS_OWNER"

// leaveRoot gives up root, for good, when RUN_AS_OWNER asks for it and the
// process is root. It runs before anything else so that no file is written
// as root.
func (m *Main) leaveRoot() error {
	spec := m.Getenv(envRunAsOwner)
	if spec == "" {
		return nil
	}
	fallback, err := runas.ParseID(spec)
	if err != nil {
		return fmt.Errorf("%s: %w", envRunAsOwner, err)
	}
	folder := func(env, def string) string {
		if v := m.Getenv(env); v != "" {
			return v
		}
		return def
	}
	res, err := runas.Owner([]string{
		folder("DATA_DIR", "data"), folder("MODELS_DIR", "models"), folder("ARTIFACTS_DIR", "artifacts"),
	}, fallback)
	if err != nil {
		return err
	}
	if res.Switched {
		fmt.Fprintln(m.Stderr, "credit-risk:", res)
		if res.From == "" {
			fmt.Fprintln(m.Stderr, "credit-risk: root owns the mounted folders (Docker makes a missing host folder as root), "+
				"so this job may not be able to write them: on the host, create them as your user first "+
				"(mkdir -p data/raw models artifacts) or give them to your user (sudo chown -R \"$(id -u):$(id -g)\" data models artifacts)")
		}
	}
	return nil
}

// checkWritable makes sure this process can write every folder it is about
// to write, before any long work starts. A folder that does not exist yet
// must be creatable: its nearest existing parent is checked. The error says
// who owns the folder, who the process is and how to fix it.
func checkWritable(folders ...string) error {
	for _, folder := range folders {
		dir := filepath.Clean(folder)
		for {
			fi, err := os.Stat(dir)
			if err == nil && fi.IsDir() {
				break
			}
			if err == nil {
				return fmt.Errorf("cannot write %s: %s is a file, not a folder", folder, dir)
			}
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				return fmt.Errorf("cannot write %s: %w", folder, err)
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return fmt.Errorf("cannot write %s: %w", folder, err)
			}
			dir = parent
		}
		f, err := os.CreateTemp(dir, ".write-check-*")
		if err != nil {
			return &notWritableError{folder: folder, dir: dir, err: err}
		}
		name := f.Name()
		f.Close()
		if err := os.Remove(name); err != nil {
			return fmt.Errorf("cannot write %s: %w", folder, err)
		}
	}
	return nil
}

// notWritableError is a folder the process cannot create files in.
type notWritableError struct {
	folder, dir string
	err         error
}

func (e *notWritableError) Unwrap() error { return e.err }

func (e *notWritableError) Error() string {
	what := absPath(e.dir)
	if e.dir != filepath.Clean(e.folder) {
		what = fmt.Sprintf("%s (to create %s)", absPath(e.dir), absPath(e.folder))
	}
	owner, rootOwned := "", false
	if fi, err := os.Stat(e.dir); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			owner = fmt.Sprintf(" it belongs to %d:%d and this job runs as %d:%d.", st.Uid, st.Gid, os.Geteuid(), os.Getegid())
			rootOwned = st.Uid == 0
		}
	}
	if errors.Is(e.err, syscall.EROFS) {
		return fmt.Sprintf("cannot write %s: the folder is on a read-only file system; mount it writable (no :ro on the volume)", what)
	}
	fix := "give the folder to the user the job runs as (on the host: sudo chown -R \"$(id -u):$(id -g)\" <the folder>), " +
		"or run the job as the folder's owner (docker run --user \"$(id -u):$(id -g)\" …, compose: HOST_UID and HOST_GID)"
	if rootOwned {
		fix = "root owns the folder and the job never runs as root: give the mounted folders to an ordinary user " +
			"(on the host: sudo chown -R <user>:<group> data models artifacts), and the job runs as that user"
	}
	return fmt.Sprintf("cannot write %s: permission denied;%s Fix: %s", what, owner, fix)
}
