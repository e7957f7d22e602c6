// Package runas lets a program started as root give up root before it does
// any work, becoming the owner of the folders it was given to work in.
//
// The training image starts as root so that a plain `docker run -v
// "$(pwd)/models:/app/models" …` works whoever owns the host folders: the
// first thing the program does is switch, for good, to the user and group
// that own the mounted folders. A container started with --user or a
// Kubernetes runAsUser is not root and is left as it is.
package runas

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ID is a numeric user and group.
type ID struct {
	UID, GID int
}

// String formats the ID as uid:gid.
func (id ID) String() string { return strconv.Itoa(id.UID) + ":" + strconv.Itoa(id.GID) }

// ParseID reads "uid:gid" (or a lone "uid", with the same number as gid).
func ParseID(s string) (ID, error) {
	u, g, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found {
		g = u
	}
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return ID{}, fmt.Errorf("runas: %q is not uid:gid", s)
	}
	return ID{UID: uid, GID: gid}, nil
}

// Result says what Owner did, for one log line.
type Result struct {
	// Switched is false when the process was not root and kept its IDs.
	Switched bool
	// To is the user and group the process runs as now.
	To ID
	// From names the folder whose owner was taken, empty when the
	// fallback was used.
	From string
	// Chowned lists the empty root-owned folders given to To (folders a
	// container engine creates for a bind mount whose host path is
	// missing).
	Chowned []string
}

// String describes the result in one line.
func (r Result) String() string {
	if !r.Switched {
		return fmt.Sprintf("running as %s", r.To)
	}
	s := fmt.Sprintf("started as root, now running as %s", r.To)
	if r.From != "" {
		s += " (the owner of " + r.From + ")"
	} else {
		s += " (no working folder has an owner other than root)"
	}
	if len(r.Chowned) > 0 {
		s += "; gave the empty folders " + strings.Join(r.Chowned, ", ") + " to " + r.To.String()
	}
	return s
}

// Owner switches a root process, permanently, to the owner of the first of
// dirs that exists and is not owned by root, or to fallback when there is
// none. When it found such an owner, it first gives every one of dirs that
// is empty and owned by root to that user (a container engine makes a
// missing bind-mount folder as root), so that the process can write into
// it. A process that is not root is left as it is.
//
// Owner changes the IDs of every thread; call it first thing in main,
// before any goroutine does work that depends on them.
func Owner(dirs []string, fallback ID) (Result, error) {
	if os.Geteuid() != 0 {
		return Result{To: ID{UID: os.Geteuid(), GID: os.Getegid()}}, nil
	}
	res := Result{Switched: true, To: fallback}
	for _, dir := range dirs {
		id, ok, err := owner(dir)
		if err != nil {
			return Result{}, err
		}
		if ok && id.UID != 0 {
			res.To, res.From = id, dir
			break
		}
	}
	if res.To.UID == 0 {
		return Result{}, errors.New("runas: refusing to keep running as root (uid 0)")
	}
	for _, dir := range dirs {
		if res.From == "" {
			break // no folder says who the files should belong to
		}
		given, err := giveEmpty(dir, res.To)
		if err != nil {
			return Result{}, err
		}
		if given {
			res.Chowned = append(res.Chowned, dir)
		}
	}
	if err := become(res.To); err != nil {
		return Result{}, err
	}
	return res, nil
}

// owner returns the owner of dir, ok false when it does not exist.
func owner(dir string) (ID, bool, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return ID{}, false, nil
	}
	if err != nil {
		return ID{}, false, fmt.Errorf("runas: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.IsDir() {
		return ID{}, false, nil
	}
	return ID{UID: int(st.Uid), GID: int(st.Gid)}, true, nil
}

// giveEmpty chowns dir to id when it is an empty folder owned by root.
func giveEmpty(dir string, id ID) (bool, error) {
	cur, ok, err := owner(dir)
	if err != nil || !ok || cur.UID != 0 {
		return false, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("runas: %w", err)
	}
	if len(entries) > 0 {
		return false, nil
	}
	if err := os.Chown(filepath.Clean(dir), id.UID, id.GID); err != nil {
		return false, fmt.Errorf("runas: %w", err)
	}
	return true, nil
}

// become drops every supplementary group, then sets the group and the user
// (in that order: a process that is no longer root cannot change its group).
// Go applies each call to every thread of the process.
func become(id ID) error {
	if err := syscall.Setgroups([]int{}); err != nil {
		return fmt.Errorf("runas: drop supplementary groups: %w", err)
	}
	if err := syscall.Setgid(id.GID); err != nil {
		return fmt.Errorf("runas: set group %d: %w", id.GID, err)
	}
	if err := syscall.Setuid(id.UID); err != nil {
		return fmt.Errorf("runas: set user %d: %w", id.UID, err)
	}
	if os.Geteuid() != id.UID || os.Getegid() != id.GID {
		return fmt.Errorf("runas: still running as %d:%d after switching to %s", os.Geteuid(), os.Getegid(), id)
	}
	return nil
}
