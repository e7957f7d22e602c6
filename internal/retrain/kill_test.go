package retrain

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/registry"
	"github.com/credit-risk/credit-risk/specs"
)

// killChildEnv makes the test binary a retrain to be killed: its value is
// "<dir>|<point>|<min_gain>", the run's folder, the Pause point it stops
// at, and the spec's promotion.min_gain.
const killChildEnv = "CREDIT_RISK_RETRAIN_KILL_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(killChildEnv); v != "" {
		os.Exit(killChild(v))
	}
	os.Exit(m.Run())
}

// killChild runs a retrain that stops for good at the point named and
// says so on stdout, for the parent to kill it there.
func killChild(arg string) int {
	parts := strings.Split(arg, "|")
	if len(parts) != 3 {
		fmt.Fprintln(os.Stderr, "bad", killChildEnv, arg)
		return 2
	}
	dir, point := parts[0], parts[1]
	var gain float64
	fmt.Sscan(parts[2], &gain)
	spec, err := specs.Load(specs.Default)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	spec.Promotion.MinGain = &gain
	o := killOptions(dir)
	o.Spec = spec
	o.Pause = func(p string) {
		if p != point {
			return
		}
		fmt.Println("paused at", p)
		for {
			time.Sleep(time.Hour)
		}
	}
	if _, err := Run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("finished")
	return 0
}

// killOptions are the options of the runs of TestRun_killed in dir.
func killOptions(dir string) Options {
	return Options{
		SpecSource: "built-in", DataDir: filepath.Join(dir, "data"),
		ModelsDir: filepath.Join(dir, "models"), ArtifactsDir: filepath.Join(dir, "artifacts"),
		Algorithms: []learn.Algorithm{learn.Logistic}, CodeVersion: "test",
	}
}

// TestRun_killed kills a retrain with SIGKILL at every step and at the
// two moments inside a step where two records must agree: after the first
// model file is saved and before it is registered, and after a stage
// change is in the registry and before the alias links move. After each
// kill, before any repair, no alias is ahead of the registry and every
// model file is known to the registry (registered, or recorded by its run
// before it was written); after Recover, which every retrain runs first,
// the aliases name the registry's versions, the killed run's promoted flag
// agrees with the production alias, and every model file is a registered
// version's.
func TestRun_killed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills child processes")
	}
	o := testRun(t, 3000)
	dir := filepath.Dir(o.DataDir)
	if _, err := Run(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	points := []struct {
		point   string
		minGain float64 // 1: the candidate becomes the challenger
	}{
		{"clean", 0}, {"features", 0}, {"tune", 0}, {"train", 0}, {"evaluate", 0},
		{"register", 0}, {"saved", 0}, {"gates", 0}, {"report", 0}, {"promote", 0},
		{"written", 0}, {"written", 1}, {"saved", 1},
	}
	for _, p := range points {
		t.Run(fmt.Sprintf("%s,min_gain=%g", p.point, p.minGain), func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%g", killChildEnv, dir, p.point, p.minGain))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			paused := false
			for sc.Scan() {
				if sc.Text() == "paused at "+p.point {
					paused = true
					break
				}
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			if !paused {
				t.Fatalf("the run never paused at %s; stderr:\n%s", p.point, stderr.String())
			}
			checkAfterKill(t, o, cmd.Process.Pid)
		})
	}
}

// checkAfterKill checks the models folder and the registry of o after the
// run of process pid was killed, before and after Recover.
func checkAfterKill(t *testing.T, o Options, pid int) {
	t.Helper()
	regDir := filepath.Join(o.ArtifactsDir, "registry")
	reg, err := registry.Read(regDir)
	if err != nil {
		t.Fatalf("registry unreadable: %v", err)
	}
	killed := reg.Runs[len(reg.Runs)-1]
	if killed.PID != pid {
		t.Fatalf("newest run has pid %d; want %d", killed.PID, pid)
	}
	// Before any repair.
	recorded := map[string]bool{}
	for _, v := range reg.Versions {
		recorded[v.File], recorded[v.Metadata] = true, true
	}
	for _, r := range reg.Runs {
		for _, f := range r.Files {
			recorded[f] = true
		}
	}
	for _, f := range modelFiles(t, o.ModelsDir) {
		if !recorded[f] {
			t.Errorf("before recovery: %s is unknown to the registry", f)
		}
	}
	for _, a := range registry.Aliases {
		target, err := registry.AliasTarget(o.ModelsDir, a, model.Ext)
		if err != nil {
			t.Fatal(err)
		}
		if target == "" {
			continue
		}
		v := versionOf(reg, target)
		if v == nil {
			t.Errorf("before recovery: the %s alias names %s, which is not registered", a, target)
			continue
		}
		if v.RunID == killed.ID && v.Stage != a.Stage() {
			t.Errorf("before recovery: the %s alias names %s, which the registry holds in %s: the alias is ahead of the registry", a, target, v.Stage)
		}
	}

	if _, err := registry.Recover(regDir, o.ModelsDir, killed.Host, time.Now()); err != nil {
		t.Fatal(err)
	}
	if reg, err = registry.Read(regDir); err != nil {
		t.Fatal(err)
	}
	run, err := reg.Run(killed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != registry.RunInterrupted {
		t.Errorf("the killed run is %s; want interrupted", run.Status)
	}
	for _, a := range []struct {
		alias registry.Alias
		v     *registry.Version
	}{{registry.Production, reg.Production()}, {registry.Challenger, reg.Challenger()}} {
		target, err := registry.AliasTarget(o.ModelsDir, a.alias, model.Ext)
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if a.v != nil {
			want = a.v.File
		}
		if target != want {
			t.Errorf("after recovery: the %s alias names %q, the registry %q", a.alias, target, want)
		}
	}
	prod := reg.Production()
	if byKilled := prod != nil && prod.RunID == run.ID; run.Promoted != byKilled {
		t.Errorf("after recovery: the killed run says promoted %v, the production alias names %s", run.Promoted, prod.Ref())
	}
	if _, _, err := model.Load(filepath.Join(o.ModelsDir, registry.AliasBase+model.Ext), ""); err != nil {
		t.Errorf("the production alias does not load: %v", err)
	}
	for _, f := range modelFiles(t, o.ModelsDir) {
		if versionOf(reg, f) == nil && !isRegisteredMetadata(reg, f) {
			t.Errorf("after recovery: %s is not a registered version's file", f)
		}
	}
}

// modelFiles lists the model and metadata files in dir, temporary files
// included, aliases left out.
func modelFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if e.Type()&os.ModeSymlink != 0 {
			continue
		}
		if strings.HasPrefix(name, ".") {
			// A temporary file stands for the file it was writing.
			if i := strings.Index(name, ".tmp-"); i > 0 {
				name = name[1:i]
			}
		}
		if strings.HasSuffix(name, model.Ext) || strings.HasSuffix(name, ".json") {
			out = append(out, name)
		}
	}
	return out
}

func versionOf(reg *registry.Registry, file string) *registry.Version {
	for i := range reg.Versions {
		if reg.Versions[i].File == file {
			return &reg.Versions[i]
		}
	}
	return nil
}

func isRegisteredMetadata(reg *registry.Registry, file string) bool {
	for _, v := range reg.Versions {
		if v.Metadata == file {
			return true
		}
	}
	return false
}
