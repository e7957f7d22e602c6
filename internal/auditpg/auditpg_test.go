package auditpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/audit"
)

// EnvDatabaseURL names a PostgreSQL database the tests may write to; .ci/run
// starts one.
const EnvDatabaseURL = "CREDIT_RISK_TEST_DATABASE_URL"

// testStore connects to the test database, or skips.
func testStore(t *testing.T) (*Store, string) {
	t.Helper()
	url := os.Getenv(EnvDatabaseURL)
	if url == "" {
		t.Skipf("%s is not set: the PostgreSQL audit trail tests need a database (.ci/run starts one)", EnvDatabaseURL)
	}
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, url
}

// instanceName is a fresh instance name, its rows deleted when the test
// ends.
func instanceName(t *testing.T, s *Store) string {
	var b [6]byte
	rand.Read(b[:])
	name := "test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		s.pool.Exec(context.Background(), `DELETE FROM `+Table+` WHERE instance = $1`, name)
	})
	return name
}

func appendDecisions(t *testing.T, sink *audit.Sink, prefix string, n int) {
	t.Helper()
	for i := range n {
		rec := audit.Record{
			RequestID: fmt.Sprintf("%s-%d", prefix, i), ModelName: "gbdt", ModelVersion: "gbdt_v1",
			ModelSHA256: strings.Repeat("a", 64), Input: []byte(`{"loan_amnt":1000}`),
			DefaultProbability: 0.1 + float64(i%7)/10, Decision: audit.DecisionApproved, Threshold: 0.5,
		}
		if rec.DefaultProbability >= 0.5 {
			rec.Decision = audit.DecisionDeclined
		}
		if err := sink.Append(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
}

// waitHead waits until the shipper has copied up to seq.
func waitHead(t *testing.T, sh *Shipper, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for sh.Head() < seq {
		if time.Now().After(deadline) {
			t.Fatalf("shipped up to %d; want %d within 20s", sh.Head(), seq)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func instanceSummary(t *testing.T, s *Store, instance string) InstanceSummary {
	t.Helper()
	sums, err := s.Verify(t.Context())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	for _, sum := range sums {
		if sum.Instance == instance {
			return sum
		}
	}
	return InstanceSummary{}
}

// TestShipper ships a growing trail, through a database outage and a
// restart of the shipper, and checks that the table holds every record
// exactly once, in a chain that verifies.
func TestShipper(t *testing.T) {
	store, url := testStore(t)
	instance := instanceName(t, store)
	dir := filepath.Join(t.TempDir(), "audit")
	sink, err := audit.Open(dir, audit.Options{MaxSegmentBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	var down atomic.Bool
	open := func(ctx context.Context) (*Store, error) {
		if down.Load() {
			return nil, errors.New("connection refused (the test's outage)")
		}
		return Open(ctx, url)
	}
	run := func() (*Shipper, context.CancelFunc) {
		ctx, cancel := context.WithCancel(t.Context())
		sh := &Shipper{Open: open, Dir: dir, Instance: instance, Batch: 300, Interval: 10 * time.Millisecond}
		done := make(chan struct{})
		go func() { sh.Run(ctx); close(done) }()
		return sh, func() { cancel(); <-done }
	}

	appendDecisions(t, sink, "a", 1000)
	sh, stop := run()
	waitHead(t, sh, 1000)

	// An outage: records wait in the file trail, then are copied once
	// the database is back.
	down.Store(true)
	// A session in progress keeps its connection; end it to feel the outage.
	stop()
	sh, stop = run()
	appendDecisions(t, sink, "b", 700)
	time.Sleep(200 * time.Millisecond)
	if sh.Head() != 0 || !sh.Down() || sh.Failures() == 0 {
		t.Errorf("during the outage: head %d, down %v, failures %d; want nothing shipped, down, failures", sh.Head(), sh.Down(), sh.Failures())
	}
	down.Store(false)
	waitHead(t, sh, 1700)
	stop()

	// A restarted shipper continues where the table stops.
	appendDecisions(t, sink, "c", 300)
	sh, stop = run()
	waitHead(t, sh, 2000)
	stop()
	if sh.Shipped() != 300 {
		t.Errorf("the restarted shipper copied %d records; want the 300 new ones", sh.Shipped())
	}
	sum := instanceSummary(t, store, instance)
	if sum.Records != 2000 || sum.Decisions != 2000 || sum.Head.Seq != 2000 {
		t.Errorf("table: %+v; want 2,000 records, head 2000", sum)
	}

	// Tampering with a stored record is found, naming the instance and seq.
	if _, err := store.pool.Exec(t.Context(), `UPDATE `+Table+` SET line = replace(line, '"default_probability":0.1', '"default_probability":0.01') WHERE instance = $1 AND seq = 8`, instance); err != nil {
		t.Fatal(err)
	}
	_, err = store.Verify(t.Context())
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Instance != instance || ve.Seq != 8 {
		t.Errorf("verify after tampering: %v; want a VerifyError at %s seq 8", err, instance)
	}
}

func TestOpenRedactsPassword(t *testing.T) {
	_, err := Open(t.Context(), "postgres://user:s3cret-pass@127.0.0.1:1/db?connect_timeout=1")
	if err == nil {
		t.Skip("something listens on port 1")
	}
	if strings.Contains(err.Error(), "s3cret-pass") {
		t.Errorf("the error holds the password: %v", err)
	}
	if _, err := Open(t.Context(), "::not a url::"); err == nil || strings.Contains(err.Error(), "not a url") {
		t.Errorf("a bad URL: %v; want an error that does not repeat it", err)
	}
}

// BenchmarkShip copies a trail of b.N decisions into the database and
// reports the rate: the sustained rate a fleet's database takes.
func BenchmarkShip(b *testing.B) {
	url := os.Getenv(EnvDatabaseURL)
	if url == "" {
		b.Skipf("%s is not set", EnvDatabaseURL)
	}
	store, err := Open(b.Context(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	instance := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	defer store.pool.Exec(context.Background(), `DELETE FROM `+Table+` WHERE instance = $1`, instance)
	dir := filepath.Join(b.TempDir(), "audit")
	sink, err := audit.Open(dir, audit.Options{Sync: audit.SyncInterval})
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]audit.Record, 1000)
	for n := 0; n < b.N; n += len(recs) {
		for i := range recs {
			recs[i] = audit.Record{RequestID: fmt.Sprintf("b-%d", n+i), ModelName: "gbdt", ModelVersion: "gbdt_v1",
				ModelSHA256: strings.Repeat("a", 64), Input: []byte(`{"loan_amnt":"10000","term":" 36 months","int_rate":"10.65%","annual_inc":"24000"}`),
				DefaultProbability: 0.2, Decision: audit.DecisionApproved, Threshold: 0.5}
		}
		if err := sink.AppendAll(b.Context(), recs[:min(len(recs), b.N-n)]); err != nil {
			b.Fatal(err)
		}
	}
	sink.Close()
	sh := &Shipper{Open: func(ctx context.Context) (*Store, error) { return Open(ctx, url) }, Dir: dir, Instance: instance, Interval: time.Millisecond}
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	b.ResetTimer()
	start := time.Now()
	go sh.Run(ctx)
	for sh.Head() < uint64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
}
