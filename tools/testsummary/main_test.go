package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The streams in testdata were recorded with `go test -json` on a small
// module whose packages pass, skip, fail, fail to build and panic.
func TestSummarize(t *testing.T) {
	const datasets = "CREDIT_RISK_DATASETS is not set — set it to the folder holding the public data sets (../shared/datasets) to run them"
	tests := []struct {
		file    string
		want    string   // the whole output, when set
		has     []string // lines the output must have, in this order
		hasNot  []string // text the output must not have
		last    string
		failed  bool
		skipped map[string]int
	}{
		{
			file: "pass.jsonl",
			want: "ok  \texample.com/tsmod/pass\t0.011s\n" +
				"4 passed, 0 failed, 0 skipped\n",
			last: "4 passed, 0 failed, 0 skipped",
		},
		{
			file: "skip.jsonl",
			want: "ok  \texample.com/tsmod/skip\t0.031s\n" +
				"4 tests skipped:\n" +
				"  2  " + datasets + "\n" +
				"  1  no reason given\n" +
				"  1  python3 not found\n" +
				"2 passed, 0 failed, 4 skipped\n",
			last:    "2 passed, 0 failed, 4 skipped",
			skipped: map[string]int{datasets: 2, "python3 not found": 1, "no reason given": 1},
		},
		{
			file: "fail.jsonl",
			want: "=== RUN   TestBroken\n" +
				"    fail_test.go:8: context before the failure\n" +
				"=== RUN   TestBroken/ok\n" +
				"--- PASS: TestBroken/ok (0.00s)\n" +
				"=== RUN   TestBroken/bad\n" +
				"    fail_test.go:11: got 3; want 4\n" +
				"--- FAIL: TestBroken/bad (0.00s)\n" +
				"--- FAIL: TestBroken (0.00s)\n" +
				"FAIL\n" +
				"FAIL\texample.com/tsmod/fail\t0.015s\n" +
				"2 passed, 2 failed, 0 skipped\n",
			last:   "2 passed, 2 failed, 0 skipped",
			failed: true,
		},
		{
			file: "broken.jsonl",
			want: "# example.com/tsmod/broken [example.com/tsmod/broken.test]\n" +
				"broken/broken_test.go:5:40: cannot use \"x\" (untyped string constant) as int value in variable declaration\n" +
				"FAIL\texample.com/tsmod/broken [build failed]\n" +
				"0 passed, 0 failed, 0 skipped\n",
			last:   "0 passed, 0 failed, 0 skipped",
			failed: true,
		},
		{
			file:   "panics.jsonl",
			has:    []string{"=== RUN   TestPanic", "    panics_test.go:8: about to panic", "--- FAIL: TestPanic (0.00s)", "panic: assignment to entry in nil map [recovered, repanicked]", "FAIL\texample.com/tsmod/panics\t0.018s"},
			hasNot: []string{"TestFirst"},
			last:   "1 passed, 1 failed, 0 skipped",
			failed: true,
		},
		{
			file: "all.jsonl",
			has: []string{
				"FAIL\texample.com/tsmod/broken [build failed]",
				"    fail_test.go:11: got 3; want 4",
				"FAIL\texample.com/tsmod/fail\t0.055s",
				"?   \texample.com/tsmod/notests\t[no test files]",
				"ok  \texample.com/tsmod/pass\t(cached)",
				"ok  \texample.com/tsmod/skip\t(cached)",
				"FAIL\texample.com/tsmod/panics\t0.050s",
				"4 tests skipped:",
			},
			hasNot:  []string{"quiet when passing", "not shown", "TestFine", "=== RUN   TestOK", "\nPASS\n"},
			last:    "9 passed, 3 failed, 4 skipped",
			failed:  true,
			skipped: map[string]int{datasets: 2, "python3 not found": 1, "no reason given": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var b strings.Builder
			s, err := summarize(f, &b)
			if err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if tt.want != "" && out != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out, tt.want)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if got := lines[len(lines)-1]; got != tt.last {
				t.Errorf("last line %q; want %q", got, tt.last)
			}
			rest := lines
			for _, h := range tt.has {
				i := indexOf(rest, h)
				if i < 0 {
					t.Errorf("output lacks the line %q (in this order):\n%s", h, out)
					break
				}
				rest = rest[i+1:]
			}
			for _, h := range tt.hasNot {
				if strings.Contains(out, h) {
					t.Errorf("output has %q:\n%s", h, out)
				}
			}
			if s.anyFailure() != tt.failed {
				t.Errorf("failure = %v; want %v", s.anyFailure(), tt.failed)
			}
			for reason, n := range tt.skipped {
				if s.skips[reason] != n {
					t.Errorf("skips[%q] = %d; want %d (all: %v)", reason, s.skips[reason], n, s.skips)
				}
			}
		})
	}
}

func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

// TestSummarizeOddStreams covers streams go test writes rarely: lines that
// are not events, a test cut off before it ended, a single skip reason
// given on two lines, and an older layout with the message after the SKIP
// line.
func TestSummarizeOddStreams(t *testing.T) {
	const pkg = `"Package":"p"`
	ev := func(action, test, output string) string {
		s := `{"Action":"` + action + `",` + pkg
		if test != "" {
			s += `,"Test":"` + test + `"`
		}
		if output != "" {
			s += `,"Output":` + strconv.Quote(output)
		}
		return s + "}\n"
	}
	tests := []struct {
		name   string
		stream string
		want   string
		failed bool
	}{
		{
			"not an event",
			"go: downloading example.com/x v1.0.0\n" + ev("start", "", "") + ev("output", "", "ok  \tp\t0.1s\n") + ev("pass", "", ""),
			"go: downloading example.com/x v1.0.0\nok  \tp\t0.1s\n0 passed, 0 failed, 0 skipped\n",
			false,
		},
		{
			"test cut off",
			ev("run", "TestHang", "") + ev("output", "TestHang", "=== RUN   TestHang\n") + ev("output", "TestHang", "    h_test.go:3: waiting\n"),
			"=== RUN   TestHang\n    h_test.go:3: waiting\n0 passed, 0 failed, 0 skipped\n",
			false,
		},
		{
			"one skip on two lines",
			ev("run", "TestA", "") + ev("output", "TestA", "    a_test.go:3: needs docker:\n") + ev("output", "TestA", "        not installed\n") +
				ev("output", "TestA", "--- SKIP: TestA (0.00s)\n") + ev("skip", "TestA", ""),
			"1 test skipped: needs docker: not installed\n0 passed, 0 failed, 1 skipped\n",
			false,
		},
		{
			"message after the SKIP line",
			ev("run", "TestB", "") + ev("output", "TestB", "    b_test.go:2: setting up\n") + ev("output", "TestB", "--- SKIP: TestB (0.00s)\n") +
				ev("output", "TestB", "    b_test.go:3: CREDIT_RISK_DATASETS not set\n") + ev("skip", "TestB", ""),
			"1 test skipped: CREDIT_RISK_DATASETS is not set — set it to the folder holding the public data sets (../shared/datasets) to run them\n0 passed, 0 failed, 1 skipped\n",
			false,
		},
		{
			"long reason cut",
			ev("run", "TestC", "") + ev("output", "TestC", "    c_test.go:3: pandas cannot read parquet here (needs pyarrow or fastparquet): exit status 1: Traceback (most recent call last):\n") +
				ev("output", "TestC", "          File \"<string>\", line 1, in <module>\n") +
				ev("output", "TestC", "--- SKIP: TestC (0.00s)\n") + ev("skip", "TestC", ""),
			"1 test skipped: pandas cannot read parquet here (needs pyarrow or fastparquet): exit status 1: Traceback (most rece…\n0 passed, 0 failed, 1 skipped\n",
			false,
		},
		{
			"package fails outside tests",
			ev("output", "", "panic: in TestMain\n") + ev("output", "", "FAIL\tp\t0.1s\n") + ev("fail", "", ""),
			"panic: in TestMain\nFAIL\tp\t0.1s\n0 passed, 0 failed, 0 skipped\n",
			true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			s, err := summarize(strings.NewReader(tt.stream), &b)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", b.String(), tt.want)
			}
			if s.anyFailure() != tt.failed {
				t.Errorf("failure = %v; want %v", s.anyFailure(), tt.failed)
			}
		})
	}
}
