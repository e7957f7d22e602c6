package main

import (
	"errors"
	"testing"
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
