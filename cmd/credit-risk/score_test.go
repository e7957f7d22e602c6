package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/progress"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		shard    string
		shards   int
		jobIndex string
		k, n     int
		bad      bool
	}{
		{"", 0, "", 0, 0, false},
		{"1/1", 0, "", 0, 1, false},
		{"2/8", 0, "", 1, 8, false},
		{"8/8", 0, "", 7, 8, false},
		{"", 4, "0", 0, 4, false},
		{"", 4, "3", 3, 4, false},
		{"0/8", 0, "", 0, 0, true},
		{"9/8", 0, "", 0, 0, true},
		{"2", 0, "", 0, 0, true},
		{"a/b", 0, "", 0, 0, true},
		{"", 4, "", 0, 0, true},
		{"", 4, "4", 0, 0, true},
		{"", -1, "0", 0, 0, true},
		{"1/2", 2, "0", 0, 0, true},
	}
	for _, tt := range tests {
		k, n, err := parseShard(tt.shard, tt.shards, tt.jobIndex)
		if tt.bad {
			if !errors.Is(err, errUsage) {
				t.Errorf("parseShard(%q, %d, %q): %v; want a usage error", tt.shard, tt.shards, tt.jobIndex, err)
			}
			continue
		}
		if err != nil || k != tt.k || n != tt.n {
			t.Errorf("parseShard(%q, %d, %q) = %d, %d, %v; want %d, %d", tt.shard, tt.shards, tt.jobIndex, k, n, err, tt.k, tt.n)
		}
	}
}

// TestScoreProgress checks what score shows on a terminal: the rows
// scored, with the share done from the bytes read when the row count is
// not known, and out of the shard's rows when it is.
func TestScoreProgress(t *testing.T) {
	tests := []struct {
		name        string
		bytes, rows int64
		want        string
	}{
		{"unsharded: share from the bytes", 1000, 0, "score: scoring: 300 rows (25%), 300/s, ETA 0:03"},
		{"sharded: out of the shard's rows", 1000, 600, "score: scoring: 300/600 rows (50%), 300/s, ETA 0:01"},
		{"compressed input: rate only", 0, 0, "score: scoring: 300 rows, 300/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
			var buf bytes.Buffer
			r := progress.New(&buf, nil, progress.Options{Unit: "rows", Terminal: true, Now: func() time.Time { return now }})
			p := &scoreProgress{r: r}
			p.Start("scoring", tt.bytes, tt.rows)
			now = now.Add(time.Second)
			p.Done(250, 300)
			if got := strings.TrimSuffix(strings.TrimPrefix(buf.String(), "\r"), "\x1b[K"); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
