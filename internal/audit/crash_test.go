package audit

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashDirEnv, set, makes TestCrashChild the appending child of
// TestCrashKill, on the trail in that directory; crashRoundEnv names its
// round and crashPolicyEnv its sync policy.
const (
	crashDirEnv    = "AUDIT_CRASH_TEST_DIR"
	crashRoundEnv  = "AUDIT_CRASH_TEST_ROUND"
	crashPolicyEnv = "AUDIT_CRASH_TEST_SYNC"
)

// crashInput is a large application, so that a batch spans many pages and
// a kill can land inside its write.
var crashInput = []byte(`{"desc":"` + strings.Repeat("x", 32<<10) + `"}`)

// TestCrashChild appends from 16 goroutines until it is killed, printing
// each request id once Append has returned nil for it. It runs only as the
// child of TestCrashKill.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child process of TestCrashKill")
	}
	round := os.Getenv(crashRoundEnv)
	s, err := Open(dir, Options{Sync: SyncPolicy(os.Getenv(crashPolicyEnv)), MaxSegmentBytes: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	for g := range 16 {
		go func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("%s-%d-%d", round, g, i)
				rec := decision(id)
				rec.Input = crashInput
				if err := s.Append(context.Background(), rec); err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintln(os.Stdout, id) // one write, so a kill never splits it
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

// TestCrashKill kills a process appending under load ten times in a row
// with SyncAlways, and four times with SyncInterval, each time after a
// different number of acknowledged records: in even rounds at a moment
// when the last segment does not end with a newline (a write is under way),
// so that kills cut records, in odd rounds at once. After each kill the
// trail reopens, fencing off a torn record with a gap record when the kill
// cut one, and verifies. With SyncAlways every record that Append
// acknowledged is in it. With SyncInterval the records still buffered at
// the kill may be missing, but only from the end: each appending
// goroutine's records present are every one it appended before them (no
// hole), and every record of an earlier round is still there.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	tests := []struct {
		sync  SyncPolicy
		kills int
	}{
		{SyncAlways, 10},
		{SyncInterval, 4},
	}
	for _, tt := range tests {
		t.Run(string(tt.sync), func(t *testing.T) { crashKill(t, tt.sync, tt.kills) })
	}
}

func crashKill(t *testing.T, policy SyncPolicy, kills int) {
	dir := t.TempDir()
	acked := map[string]bool{}
	gaps, lostTotal := 0, 0
	for round := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(round), crashPolicyEnv+"="+string(policy))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		prefix := strconv.Itoa(round) + "-"
		want := 100 + 37*round // acknowledgements before the kill
		enough := make(chan struct{})
		var ids []string
		read := make(chan struct{})
		go func() {
			defer close(read)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() { // until the pipe closes: acks sent before the kill count
				if id := sc.Text(); strings.HasPrefix(id, prefix) {
					ids = append(ids, id)
					if len(ids) == want {
						close(enough)
					}
				}
			}
		}()
		var other strings.Builder
		errRead := make(chan struct{})
		go func() {
			defer close(errRead)
			io.Copy(&other, stderr)
		}()
		select {
		case <-enough:
		case <-read:
			<-errRead
			cmd.Wait()
			t.Fatalf("round %d: the child acknowledged %d records and stopped:\n%s", round, len(ids), other.String())
		}
		if round%2 == 0 {
			waitMidWrite(t, dir)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-read
		<-errRead
		cmd.Wait()
		roundAcked := map[string]bool{}
		for _, id := range ids {
			acked[id] = true
			roundAcked[id] = true
		}

		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		if g := s.Recovered(); g != nil {
			gaps++
			t.Logf("round %d: torn record fenced off: %+v", round, *g)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		present := map[string]bool{}
		sum, err := Scan(t.Context(), dir, func(rec *Record, _ []byte) error {
			if rec.Kind == KindDecision {
				present[rec.RequestID] = true
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: verify after reopen: %v", round, err)
		}
		lost := 0
		for id := range acked {
			if present[id] {
				continue
			}
			if policy == SyncAlways || !roundAcked[id] {
				t.Fatalf("round %d: acknowledged record %s is not in the trail", round, id)
			}
			lost++
			delete(acked, id) // lost at this kill, from the end
		}
		if policy == SyncInterval {
			checkNoHole(t, round, present)
		}
		lostTotal += lost
		t.Logf("round %d: %d acknowledged so far, %d buffered ones lost at this kill, %d decisions and %d gaps in %d segments", round, len(acked), lost, sum.Decisions, len(sum.Gaps), sum.Segments)
	}
	t.Logf("%d kills: %d acknowledged records in the trail, %d buffered ones lost; %d torn records fenced off", kills, len(acked), lostTotal, gaps)
}

// checkNoHole checks that, of the records round's goroutines appended,
// those present are for each goroutine its first n (ids
// "<round>-<goroutine>-<i>", i from 0): what a kill loses is lost from the
// end.
func checkNoHole(t *testing.T, round int, present map[string]bool) {
	t.Helper()
	count := map[string]int{} // goroutine → records present
	for id := range present {
		if parts := strings.Split(id, "-"); len(parts) == 3 && parts[0] == strconv.Itoa(round) {
			count[parts[1]]++
		}
	}
	for g, n := range count {
		for i := range n {
			if id := fmt.Sprintf("%d-%s-%d", round, g, i); !present[id] {
				t.Fatalf("round %d: %s is missing but a later record of its goroutine is in the trail", round, id)
			}
		}
	}
}

// waitMidWrite returns when the last segment in dir ends inside a record,
// which is while a write is under way (a write grows the file a page at a
// time), or after two seconds.
func waitMidWrite(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	last := []byte{0}
	for time.Now().Before(deadline) {
		segs, err := listSegments(dir)
		if err != nil || len(segs) == 0 {
			continue
		}
		f, err := os.Open(filepath.Join(dir, segs[len(segs)-1].name))
		if err != nil {
			continue
		}
		fi, err := f.Stat()
		if err == nil && fi.Size() > 0 {
			if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
				f.Close()
				return
			}
		}
		f.Close()
	}
	t.Logf("no write seen under way")
}
