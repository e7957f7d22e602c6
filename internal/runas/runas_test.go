package runas

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		in      string
		want    ID
		wantErr bool
	}{
		{"10001:10001", ID{10001, 10001}, false},
		{"1000:100", ID{1000, 100}, false},
		{" 42 ", ID{42, 42}, false},
		{"0:0", ID{0, 0}, false},
		{"", ID{}, true},
		{"a:b", ID{}, true},
		{"1:", ID{}, true},
		{"-1:5", ID{}, true},
		{"root", ID{}, true},
	}
	for _, tt := range tests {
		got, err := ParseID(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseID(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// childEnv makes the test binary run runAsChild instead of the tests.
const childEnv = "RUNAS_TEST_CHILD"

// childReport is what the child process prints as JSON.
type childReport struct {
	Result     Result
	Err        string
	EUID       int
	EGID       int
	Groups     []int
	BackToRoot string // the error setuid(0) gave after the switch
}

func TestMain(m *testing.M) {
	if dirs := os.Getenv(childEnv); dirs != "" {
		runAsChild(strings.Split(dirs, string(os.PathListSeparator)))
		return
	}
	os.Exit(m.Run())
}

func runAsChild(dirs []string) {
	var rep childReport
	res, err := Owner(dirs, ID{UID: 10001, GID: 10001})
	rep.Result = res
	if err != nil {
		rep.Err = err.Error()
	}
	rep.EUID, rep.EGID = os.Geteuid(), os.Getegid()
	rep.Groups, _ = os.Getgroups()
	if err := syscall.Setuid(0); err != nil {
		rep.BackToRoot = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(rep)
	os.Exit(0)
}

// runChild runs Owner on dirs in a fresh process of the test binary.
func runChild(t *testing.T, dirs ...string) childReport {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(dirs, string(os.PathListSeparator)))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var rep childReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("child output %q: %v", out, err)
	}
	return rep
}

func mkdirOwned(t *testing.T, path string, id ID) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, id.UID, id.GID); err != nil {
		t.Fatal(err)
	}
}

func ownerOf(t *testing.T, path string) ID {
	t.Helper()
	id, ok, err := owner(path)
	if err != nil || !ok {
		t.Fatalf("owner(%s): %v, %v", path, ok, err)
	}
	return id
}

func TestOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("switching users needs root (CI runs as root)")
	}
	user := ID{UID: 1234, GID: 2345}
	root := ID{}

	t.Run("owner of the first folder that root does not own", func(t *testing.T) {
		base := t.TempDir()
		data, models, artifacts := filepath.Join(base, "data"), filepath.Join(base, "models"), filepath.Join(base, "artifacts")
		mkdirOwned(t, data, root)
		if err := os.WriteFile(filepath.Join(data, "keep"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		mkdirOwned(t, models, user)
		mkdirOwned(t, artifacts, root) // empty: docker made it for the mount

		rep := runChild(t, filepath.Join(base, "missing"), data, models, artifacts)
		if rep.Err != "" {
			t.Fatal(rep.Err)
		}
		if !rep.Result.Switched || rep.Result.To != user || rep.Result.From != models {
			t.Errorf("result %+v, want a switch to %v taken from %s", rep.Result, user, models)
		}
		if rep.EUID != user.UID || rep.EGID != user.GID || len(rep.Groups) != 0 {
			t.Errorf("running as %d:%d groups %v, want %v and no supplementary groups", rep.EUID, rep.EGID, rep.Groups, user)
		}
		if rep.BackToRoot == "" {
			t.Error("setuid(0) worked after the switch: root was not given up")
		}
		if !slices.Equal(rep.Result.Chowned, []string{artifacts}) {
			t.Errorf("chowned %v, want only the empty root folder %s", rep.Result.Chowned, artifacts)
		}
		if got := ownerOf(t, artifacts); got != user {
			t.Errorf("%s owned by %v, want %v", artifacts, got, user)
		}
		if got := ownerOf(t, data); got != root {
			t.Errorf("%s (not empty) owned by %v, want it left to root", data, got)
		}
		if !strings.Contains(rep.Result.String(), "the owner of "+models) {
			t.Errorf("String() = %q", rep.Result.String())
		}
	})

	t.Run("fallback when root owns every folder", func(t *testing.T) {
		base := t.TempDir()
		dir := filepath.Join(base, "models")
		mkdirOwned(t, dir, root)
		rep := runChild(t, dir)
		want := ID{UID: 10001, GID: 10001}
		if rep.Err != "" || rep.Result.To != want || rep.EUID != want.UID || rep.Result.From != "" {
			t.Errorf("report %+v, want a switch to the fallback %v", rep, want)
		}
		if got := ownerOf(t, dir); got != root || len(rep.Result.Chowned) != 0 {
			t.Errorf("empty %s owned by %v (chowned %v), want it left to root: no folder said whose it should be", dir, got, rep.Result.Chowned)
		}
	})
}

func TestOwnerNotRoot(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("needs a user other than root")
	}
	res, err := Owner([]string{t.TempDir()}, ID{UID: 10001, GID: 10001})
	if err != nil || res.Switched || res.To.UID != os.Geteuid() {
		t.Errorf("Owner as a user = %+v, %v; want no switch", res, err)
	}
}
