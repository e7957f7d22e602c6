// Command testsummary reads the output of `go test -json` on its standard
// input and prints what a person wants from a test run: go test's package
// lines (ok, FAIL, no test files), build errors, the full output of every
// failing test, how many tests were skipped and why, and a last line
//
//	N passed, N failed, N skipped
//
// alone on its line, for CI to read. The exit status is 1 when a test or a
// package failed (a build error included), 0 otherwise.
//
// Usage:
//
//	go test -json ./... | go run ./tools/testsummary
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
)

func main() {
	s, err := summarize(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	if s.anyFailure() {
		os.Exit(1)
	}
}

// event is one line of `go test -json` (see `go doc test2json`), with the
// build events of `go test -json` itself.
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output and build-fail events
}

// line is one line of a test's output, with the (sub)test that wrote it.
type line struct {
	test, text string
}

// testKey names a top-level test of a package.
type testKey struct {
	pkg, test string
}

// summary is what summarize counted.
type summary struct {
	passed, failed, skipped int
	// failedPackages counts packages that failed, by a test or otherwise
	// (build errors, a panic outside a test, a timeout).
	failedPackages int
	// skips counts skipped tests by reason.
	skips map[string]int
}

func (s *summary) anyFailure() bool { return s.failed > 0 || s.failedPackages > 0 }

// summarize reads the events from r and writes the report to w.
func summarize(r io.Reader, w io.Writer) (*summary, error) {
	s := &summary{skips: map[string]int{}}
	// The output of each running top-level test, subtests included, kept
	// until the test ends: printed when it fails, dropped otherwise.
	held := map[testKey][]line{}
	var order []testKey // held's keys in the order the tests started
	flush := func(k testKey) {
		for _, l := range held[k] {
			io.WriteString(w, l.text)
		}
		delete(held, k)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for sc.Scan() {
		raw := sc.Bytes()
		var e event
		if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &e) != nil {
			// Not an event: go test wrote it itself (e.g. a setup error).
			fmt.Fprintf(w, "%s\n", raw)
			continue
		}
		switch e.Action {
		case "build-output":
			io.WriteString(w, e.Output)
			continue
		case "build-fail":
			continue
		}
		if e.Test == "" {
			switch e.Action {
			case "output":
				if e.Output != "PASS\n" {
					io.WriteString(w, e.Output)
				}
			case "fail":
				s.failedPackages++
				// Tests cut short by a panic or a timeout never end:
				// show what they printed.
				for _, k := range order {
					if k.pkg == e.Package {
						flush(k)
					}
				}
			}
			continue
		}
		k := testKey{e.Package, topLevel(e.Test)}
		switch e.Action {
		case "run":
			if _, ok := held[k]; !ok {
				held[k] = nil
				order = append(order, k)
			}
		case "output":
			held[k] = append(held[k], line{e.Test, e.Output})
		case "pass":
			s.passed++
		case "fail":
			s.failed++
		case "skip":
			s.skipped++
			s.skips[skipReason(held[k], e.Test)]++
		}
		if e.Test == k.test {
			switch e.Action {
			case "fail":
				flush(k)
			case "pass", "skip":
				delete(held, k)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("reading go test -json: %w", err)
	}
	// Output of tests that never ended and whose package never said so.
	for _, k := range order {
		flush(k)
	}
	s.writeSkips(w)
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
	return s, nil
}

func topLevel(test string) string {
	top, _, _ := strings.Cut(test, "/")
	return top
}

// logLine matches a line of t.Log output: "    file_test.go:12: text".
var logLine = regexp.MustCompile(`^\s+[\w.-]+\.go:\d+: (.*)$`)

// skipReason finds why test was skipped in the output held for its
// top-level test: the message given to t.Skip is the last thing the test
// logged before go test's "--- SKIP: Name (0.00s)" line (or, in older
// releases, the first thing after it).
func skipReason(held []line, test string) string {
	var before, after []string // messages logged, one entry each
	cur := &before
	for _, l := range held {
		if l.test != test {
			continue
		}
		text := strings.TrimRight(l.text, "\n")
		switch {
		case strings.HasPrefix(strings.TrimSpace(text), "--- SKIP: "+test+" "):
			cur = &after
		case logLine.MatchString(text):
			*cur = append(*cur, logLine.FindStringSubmatch(text)[1])
		case len(*cur) > 0 && strings.HasPrefix(text, "    ") && strings.TrimSpace(text) != "":
			// A continuation line of a multi-line message.
			(*cur)[len(*cur)-1] += " " + strings.TrimSpace(text)
		}
	}
	switch {
	case len(after) > 0:
		return canonicalReason(after[0])
	case len(before) > 0:
		return canonicalReason(before[len(before)-1])
	}
	return "no reason given"
}

// advice turns known skip messages, worded in many ways across the tests,
// into one reason that says what to do.
var advice = []struct {
	match  func(msg string) bool
	reason string
}{
	{
		func(msg string) bool {
			return strings.Contains(msg, "CREDIT_RISK_DATASETS") && strings.Contains(msg, "not set")
		},
		"CREDIT_RISK_DATASETS is not set — set it to the folder holding the public data sets (../shared/datasets) to run them",
	},
}

// maxReason bounds a skip reason's length in runes: long messages (a
// traceback, say) are cut.
const maxReason = 100

func canonicalReason(msg string) string {
	for _, a := range advice {
		if a.match(msg) {
			return a.reason
		}
	}
	if r := []rune(msg); len(r) > maxReason {
		return string(r[:maxReason-1]) + "…"
	}
	return msg
}

// writeSkips prints the skipped tests by reason, the most frequent first:
// on one line when there is one reason.
func (s *summary) writeSkips(w io.Writer) {
	if s.skipped == 0 {
		return
	}
	noun := "tests"
	if s.skipped == 1 {
		noun = "test"
	}
	reasons := slices.Collect(maps.Keys(s.skips))
	slices.SortFunc(reasons, func(a, b string) int {
		if c := cmp.Compare(s.skips[b], s.skips[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(reasons) == 1 {
		fmt.Fprintf(w, "%d %s skipped: %s\n", s.skipped, noun, reasons[0])
		return
	}
	fmt.Fprintf(w, "%d %s skipped:\n", s.skipped, noun)
	width := len(fmt.Sprint(s.skips[reasons[0]]))
	for _, r := range reasons {
		fmt.Fprintf(w, "  %*d  %s\n", width, s.skips[r], r)
	}
}
