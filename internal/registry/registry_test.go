package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
		if err := SetAlias(dir, base+".model", base+"_metadata.json"); err != nil {
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
	if err := SetAlias(dir, "absent.model", "gbdt_v1_metadata.json"); err == nil {
		t.Error("alias to an absent file succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 6 {
		t.Errorf("dir holds %d entries; want 6 (temp links left?)", len(ents))
	}
}

func TestSetChampion(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	setup := func(t *testing.T) (regDir, modelsDir string) {
		regDir, modelsDir = t.TempDir(), t.TempDir()
		for _, f := range []string{"gbdt_v1.model", "gbdt_v1_metadata.json", "lr_v1.model", "lr_v1_metadata.json"} {
			if err := os.WriteFile(filepath.Join(modelsDir, f), []byte(f), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := Update(regDir, func(r *Registry) error {
			r.Runs = append(r.Runs, Run{ID: "run1"})
			for _, name := range []string{"gbdt", "lr"} {
				v := Version{Name: name, Version: 1, File: name + "_v1.model", Metadata: name + "_v1_metadata.json"}
				if err := r.Register(v, "trained", now); err != nil {
					return err
				}
			}
			return r.Promote(Ref{"gbdt", 1}, "promote", "first", now)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := SetAlias(modelsDir, "gbdt_v1.model", "gbdt_v1_metadata.json"); err != nil {
			t.Fatal(err)
		}
		return regDir, modelsDir
	}
	pickLR := func(r *Registry) (*Version, error) {
		run, err := r.Run("run1")
		if err != nil {
			return nil, err
		}
		run.Promoted = true
		return r.Version(Ref{"lr", 1})
	}
	tests := []struct {
		name    string
		c       Champion
		wantErr bool
	}{
		{"promotes and moves the alias", Champion{Pick: pickLR, Action: "promote", Reason: "better"}, false},
		{"verified files", Champion{Pick: pickLR, Action: "promote", Verify: func(m, meta string) error {
			if filepath.Base(m) != "lr_v1.model" || filepath.Base(meta) != "lr_v1_metadata.json" {
				return errors.New("wrong files")
			}
			return nil
		}}, false},
		{"pick fails", Champion{Pick: func(r *Registry) (*Version, error) { return r.Version(Ref{"rf", 9}) }, Action: "promote"}, true},
		{"verify fails", Champion{Pick: pickLR, Action: "promote", Verify: func(string, string) error { return errors.New("corrupt") }}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			regDir, modelsDir := setup(t)
			v, err := SetChampion(regDir, modelsDir, tt.c, now)
			reg, rerr := Read(regDir)
			if rerr != nil {
				t.Fatal(rerr)
			}
			target, aerr := AliasTarget(modelsDir, ".model")
			if aerr != nil {
				t.Fatal(aerr)
			}
			run, _ := reg.Run("run1")
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				if p := reg.Production(); p.Name != "gbdt" || target != "gbdt_v1.model" || run.Promoted {
					t.Errorf("after a failure: production %s, alias %s, run promoted %v; want gbdt v1, gbdt_v1.model, false", p.Ref(), target, run.Promoted)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Name != "lr" || reg.Production().Name != "lr" || target != "lr_v1.model" || !run.Promoted {
				t.Errorf("returned %v, production %s, alias %s, run promoted %v; want lr v1 everywhere", v.Ref(), reg.Production().Ref(), target, run.Promoted)
			}
			if old, _ := reg.Version(Ref{"gbdt", 1}); old.Stage != StageArchived {
				t.Errorf("the old champion is %s, want archived", old.Stage)
			}
		})
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
