package audit_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/credit-risk/credit-risk/internal/audit"
)

// The scoring API opens one sink at start, appends a record per decision
// before it answers, and closes the sink on shutdown.
func ExampleSink() {
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	sink, err := audit.Open(dir, audit.Options{Sync: audit.SyncAlways})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err = sink.Append(ctx, audit.Record{
		RequestID: "req-1", ModelName: "gbdt", ModelVersion: "gbdt_v3",
		Input:              []byte(`{"loan_amnt": 12000, "term": " 36 months", "annual_inc": 41000}`),
		DefaultProbability: 0.41, Decision: audit.DecisionDeclined, Threshold: 0.35,
		Reasons: []audit.Reason{{Code: "R03", Reason: "Income insufficient for amount requested", Field: "annual_inc"}},
	})
	if err != nil {
		log.Fatal(err) // the API answers 503: no decision without its record
	}
	if err := sink.Close(); err != nil {
		log.Fatal(err)
	}

	sum, err := audit.Verify(context.Background(), dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d decision in %d segment, head seq %d\n", sum.Decisions, sum.Segments, sum.Head.Seq)
	// Output: 1 decision in 1 segment, head seq 1
}
