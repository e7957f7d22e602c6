package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConcurrentUpdates(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	const n = 40
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := Update(dir, func(r *Registry) error {
				r.Runs = append(r.Runs, Run{ID: fmt.Sprint(i), Status: RunSucceeded})
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	r, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Runs) != n {
		t.Errorf("got %d runs; want %d (lost updates)", len(r.Runs), n)
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("boom")
	if err := Update(dir, func(r *Registry) error { r.Runs = append(r.Runs, Run{ID: "x"}); return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, File)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("registry written despite the error")
	}
}

func TestCorruptRegistry(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, File), []byte(`{"format_version": 1, "runs": [`), 0o644)
	if _, err := Read(dir); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Read(truncated) = %v; want ErrCorrupt", err)
	}
}

func TestPromoteAndRollback(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &Registry{FormatVersion: FormatVersion}
	for _, ref := range []Ref{{"gbdt", 1}, {"lr", 1}, {"gbdt", 2}} {
		if err := r.Register(Version{Name: ref.Name, Version: ref.Version}, "trained", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Register(Version{Name: "gbdt", Version: 1}, "again", now); err == nil {
		t.Error("registering a version twice succeeded")
	}
	steps := []struct {
		promote Ref
		want    string
	}{{Ref{"gbdt", 1}, "gbdt v1"}, {Ref{"lr", 1}, "lr v1"}, {Ref{"gbdt", 2}, "gbdt v2"}}
	for _, s := range steps {
		if err := r.Promote(s.promote, "promote", "test", now); err != nil {
			t.Fatal(err)
		}
		if got := r.Production().Ref().String(); got != s.want {
			t.Errorf("production = %s; want %s", got, s.want)
		}
	}
	prev, err := r.PreviousProduction()
	if err != nil || prev.Ref() != (Ref{"lr", 1}) {
		t.Fatalf("previous production = %v, %v; want lr v1", prev, err)
	}
	if err := r.Promote(prev.Ref(), "rollback", "bad model", now); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Version(Ref{"gbdt", 2}); v.Stage != StageArchived {
		t.Errorf("rolled-back version stage = %s; want archived", v.Stage)
	}
	n := 0
	for _, v := range r.Versions {
		if v.Stage == StageProduction {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d versions in production; want 1", n)
	}
}

func TestMarkStale(t *testing.T) {
	r := &Registry{Runs: []Run{{ID: "a", Status: RunRunning, Host: "h", PID: 1 << 30}, {ID: "b", Status: RunRunning, Host: "h", PID: os.Getpid()}}}
	r.MarkStale("h", time.Now())
	if r.Runs[0].Status != RunInterrupted || r.Runs[1].Status != RunRunning {
		t.Errorf("statuses = %s, %s; want interrupted, running", r.Runs[0].Status, r.Runs[1].Status)
	}
}

func TestSetAlias(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"gbdt_v1.model", "gbdt_v1_metadata.json", "lr_v1.model", "lr_v1_metadata.json"} {
		os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644)
	}
	for _, base := range []string{"gbdt_v1", "lr_v1", "gbdt_v1"} {
		if err := SetAlias(dir, Production, base+".model", base+"_metadata.json"); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "production.model"))
		gotMeta, _ := os.ReadFile(filepath.Join(dir, "production_metadata.json"))
		if string(got) != base+".model" || string(gotMeta) != base+"_metadata.json" {
			t.Errorf("alias reads %q, %q; want %s", got, gotMeta, base)
		}
		target, _ := os.Readlink(filepath.Join(dir, "production.model"))
		if filepath.IsAbs(target) {
			t.Errorf("alias target %q is absolute", target)
		}
	}
	if err := SetAlias(dir, Production, "absent.model", "gbdt_v1_metadata.json"); err == nil {
		t.Error("alias to an absent file succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 6 {
		t.Errorf("dir holds %d entries; want 6 (temp links left?)", len(ents))
	}
}

func TestSetStage(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	setup := func(t *testing.T) (regDir, modelsDir string) {
		regDir, modelsDir = t.TempDir(), t.TempDir()
		for _, f := range []string{"gbdt_v1.model", "gbdt_v1_metadata.json", "lr_v1.model", "lr_v1_metadata.json", "rf_v1.model", "rf_v1_metadata.json"} {
			if err := os.WriteFile(filepath.Join(modelsDir, f), []byte(f), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := Update(regDir, func(r *Registry) error {
			r.Runs = append(r.Runs, Run{ID: "run1"})
			for _, name := range []string{"gbdt", "lr", "rf"} {
				v := Version{Name: name, Version: 1, File: name + "_v1.model", Metadata: name + "_v1_metadata.json"}
				if err := r.Register(v, "trained", now); err != nil {
					return err
				}
			}
			if err := r.SetChallenger(Ref{"rf", 1}, ActionChallenge, "stopped by a gate", now); err != nil {
				return err
			}
			return r.Promote(Ref{"gbdt", 1}, ActionPromote, "first", now)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Recover(regDir, modelsDir, "h", now); err != nil {
			t.Fatal(err)
		}
		return regDir, modelsDir
	}
	pick := func(name string) func(r *Registry) (*Version, error) {
		return func(r *Registry) (*Version, error) {
			run, err := r.Run("run1")
			if err != nil {
				return nil, err
			}
			run.Promoted = true
			return r.Version(Ref{name, 1})
		}
	}
	tests := []struct {
		name          string
		c             Change
		wantErr       bool
		prod, chal    string // the versions' files after the change; "" none
		archived      []string
		runPromoted   bool
		writtenCalled bool
	}{
		{"promotes and moves the alias", Change{Pick: pick("lr"), Action: ActionPromote, Reason: "better"}, false,
			"lr_v1.model", "rf_v1.model", []string{"gbdt"}, true, false},
		{"promoting the challenger leaves none", Change{Pick: pick("rf"), Action: ActionPromote, Reason: "forced"}, false,
			"rf_v1.model", "", []string{"gbdt"}, true, false},
		{"a new challenger archives the old", Change{Pick: pick("lr"), To: StageChallenger, Action: ActionChallenge}, false,
			"gbdt_v1.model", "lr_v1.model", []string{"rf"}, true, false},
		{"verified files", Change{Pick: pick("lr"), Action: ActionPromote, Verify: func(m, meta string) error {
			if filepath.Base(m) != "lr_v1.model" || filepath.Base(meta) != "lr_v1_metadata.json" {
				return errors.New("wrong files")
			}
			return nil
		}}, false, "lr_v1.model", "rf_v1.model", []string{"gbdt"}, true, false},
		{"hook between the registry and the links", Change{Pick: pick("lr"), Action: ActionPromote}, false,
			"lr_v1.model", "rf_v1.model", []string{"gbdt"}, true, true},
		{"pick fails", Change{Pick: func(r *Registry) (*Version, error) { return r.Version(Ref{"xx", 9}) }, Action: ActionPromote}, true,
			"gbdt_v1.model", "rf_v1.model", nil, false, false},
		{"verify fails", Change{Pick: pick("lr"), Action: ActionPromote, Verify: func(string, string) error { return errors.New("corrupt") }}, true,
			"gbdt_v1.model", "rf_v1.model", nil, false, false},
		{"production cannot be the challenger", Change{Pick: pick("gbdt"), To: StageChallenger, Action: ActionChallenge}, true,
			"gbdt_v1.model", "rf_v1.model", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			regDir, modelsDir := setup(t)
			var sawOld bool
			if tt.writtenCalled {
				// When the hook runs the registry is written and the
				// links have not moved yet.
				tt.c.Written = func() {
					reg, err := Read(regDir)
					if err != nil {
						t.Fatal(err)
					}
					target, _ := AliasTarget(modelsDir, Production, ".model")
					sawOld = reg.Production().File == tt.prod && target == "gbdt_v1.model"
				}
			}
			_, err := SetStage(regDir, modelsDir, tt.c, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v; want error %v", err, tt.wantErr)
			}
			if tt.writtenCalled && !sawOld {
				t.Error("the hook did not see the registry written before the links")
			}
			reg, rerr := Read(regDir)
			if rerr != nil {
				t.Fatal(rerr)
			}
			for _, a := range Aliases {
				want := tt.prod
				v := reg.Production()
				if a == Challenger {
					want, v = tt.chal, reg.Challenger()
				}
				target, err := AliasTarget(modelsDir, a, ".model")
				if err != nil {
					t.Fatal(err)
				}
				got := ""
				if v != nil {
					got = v.File
				}
				if got != want || target != want {
					t.Errorf("%s: registry %q, alias %q; want %q for both", a, got, target, want)
				}
			}
			for _, name := range tt.archived {
				if v, _ := reg.Version(Ref{name, 1}); v.Stage != StageArchived {
					t.Errorf("%s v1 is %s; want archived", name, v.Stage)
				}
			}
			if run, _ := reg.Run("run1"); run.Promoted != tt.runPromoted {
				t.Errorf("run promoted %v; want %v", run.Promoted, tt.runPromoted)
			}
		})
	}
}

// TestRecover: the links are pointed back at the registry's versions, the
// files an ended run recorded but never registered are removed, and a
// running run's files are left alone.
func TestRecover(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	regDir, modelsDir := t.TempDir(), t.TempDir()
	files := []string{"gbdt_v1.model", "gbdt_v1_metadata.json", "lr_v1.model", "lr_v1_metadata.json",
		"gbdt_v2.model", ".gbdt_v2_metadata.json.tmp-123", "lr_v2.model", "lr_v2_metadata.json"}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(modelsDir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := Update(regDir, func(r *Registry) error {
		r.Runs = append(r.Runs,
			Run{ID: "done", Status: RunSucceeded, Files: []string{"gbdt_v1.model", "gbdt_v1_metadata.json", "lr_v1.model", "lr_v1_metadata.json"}},
			Run{ID: "killed", Status: RunRunning, Host: "h", PID: 1 << 30, Files: []string{"gbdt_v2.model", "gbdt_v2_metadata.json"}},
			Run{ID: "live", Status: RunRunning, Host: "h", PID: os.Getpid(), Files: []string{"lr_v2.model", "lr_v2_metadata.json"}})
		for _, name := range []string{"gbdt", "lr"} {
			if err := r.Register(Version{Name: name, Version: 1, File: name + "_v1.model", Metadata: name + "_v1_metadata.json"}, "trained", now); err != nil {
				return err
			}
		}
		return r.Promote(Ref{"lr", 1}, ActionPromote, "x", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	// The links are one change behind: they name gbdt v1.
	if err := SetAlias(modelsDir, Production, "gbdt_v1.model", "gbdt_v1_metadata.json"); err != nil {
		t.Fatal(err)
	}
	rep, err := Recover(regDir, modelsDir, "h", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep) != 3 {
		t.Errorf("repairs %q; want three lines (a model file, a metadata temporary file, the alias)", rep)
	}
	target, _ := AliasTarget(modelsDir, Production, ".model")
	if target != "lr_v1.model" {
		t.Errorf("alias %s; want lr_v1.model", target)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(modelsDir, f))
		gone := strings.Contains(f, "gbdt_v2")
		if gone != errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: stat %v; want removed %v", f, err, gone)
		}
	}
	reg, err := Read(regDir)
	if err != nil {
		t.Fatal(err)
	}
	killed, _ := reg.Run("killed")
	if killed.Status != RunInterrupted || len(killed.Files) != 0 || len(killed.RemovedFiles) != 2 {
		t.Errorf("killed run: status %s, files %v, removed %v; want interrupted, none, two", killed.Status, killed.Files, killed.RemovedFiles)
	}
	if again, err := Recover(regDir, modelsDir, "h", now); err != nil || len(again) != 0 {
		t.Errorf("a second Recover: %q, %v; want nothing to do", again, err)
	}
}

// FuzzRead: a registry file of any content is read or refused with
// ErrCorrupt, never a panic; one that is read is written back by Update
// and reads the same again.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"format_version": 1}`))
	f.Add([]byte(`{"format_version": 1, "runs": [{"id": "r1", "status": "succeeded"}], "versions": [{"name": "gbdt", "version": 1, "stage": "production", "file": "gbdt_v1.model"}], "events": [{"time": "2026-01-02T03:04:05Z", "action": "promote", "name": "gbdt", "version": 1, "to": "production", "reason": "x"}]}`))
	f.Add([]byte(`{"format_version": 2}`))
	f.Add([]byte(`{"format_version": 1, "extra": true}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, File), data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Read(dir)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if err := Update(dir, func(*Registry) error { return nil }); err != nil {
			t.Fatalf("a registry that reads does not write back: %v", err)
		}
		again, err := Read(dir)
		if err != nil {
			t.Fatalf("read after write: %v", err)
		}
		want, _ := json.Marshal(r)
		got, _ := json.Marshal(again)
		if !bytes.Equal(got, want) {
			t.Fatalf("read %s, after writing it back %s", want, got)
		}
	})
}
