package progress

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// step is one event of a test: time passes, then units are added (or the
// share done is set, or the step finishes).
type step struct {
	after  time.Duration
	add    int64
	frac   float64 // set when > 0
	finish bool
}

func TestReporter_Terminal(t *testing.T) {
	tests := []struct {
		name  string
		total int64
		steps []step
		want  []string // the lines drawn, without \r and the erase sequence
	}{
		{
			name:  "known total: rate and ETA, at most every Redraw",
			total: 1000,
			steps: []step{{after: 100 * time.Millisecond, add: 100}, {after: 100 * time.Millisecond, add: 100}, {after: 50 * time.Millisecond, add: 50}, {after: 250 * time.Millisecond, add: 250}, {finish: true}},
			want:  []string{"score: 200/1,000 rows (20%), 1k/s, ETA 0:01", "score: 500/1,000 rows (50%), 1k/s, ETA 0:01", "score: 500/1,000 rows (50%), 1k/s in 0:01\n"},
		},
		{
			name:  "unknown total: rate only",
			steps: []step{{after: 2 * time.Second, add: 3_000_000}, {finish: true}},
			want:  []string{"score: 3,000,000 rows, 1.5M/s", "score: 3,000,000 rows, 1.5M/s in 0:02\n"},
		},
		{
			name:  "unknown total with a share done: percent and ETA from it",
			steps: []step{{frac: 0.25}, {after: 30 * time.Second, add: 500}, {finish: true}},
			want:  []string{"score: 500 rows (25%), 17/s, ETA 1:30", "score: 500 rows (25%), 17/s in 0:30\n"},
		},
		{
			name:  "nothing added: a tick still redraws",
			total: 10,
			steps: []step{{after: time.Hour}},
			want:  []string{"score: 0/10 rows (0%), 0/s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
			var buf bytes.Buffer
			r := New(&buf, nil, Options{Unit: "rows", Terminal: true, Now: clock.now})
			r.Reset("score", tt.total)
			for _, s := range tt.steps {
				clock.advance(s.after)
				switch {
				case s.finish:
					r.Finish()
				case s.frac > 0:
					r.SetFraction(s.frac)
				case s.add > 0:
					r.Add(s.add)
				default:
					r.Tick()
				}
			}
			var got []string
			for _, l := range strings.Split(buf.String(), "\r")[1:] {
				got = append(got, strings.Replace(l, "\x1b[K", "", 1))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReporter_Log(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  []string
	}{
		{
			name:  "a line every Every, and a last one",
			steps: []step{{after: 4 * time.Second, add: 40}, {after: 7 * time.Second, add: 70}, {after: 5 * time.Second, add: 50}, {after: time.Second, finish: true}},
			want: []string{
				"level=INFO msg=score done=110 unit=rows rate_per_s=10 elapsed=11s total=200 percent=55 eta=9s",
				"level=INFO msg=\"score done\" done=160 unit=rows rate_per_s=9 elapsed=17s total=200 percent=80",
			},
		},
		{
			name:  "a short step logs nothing",
			steps: []step{{after: time.Second, add: 200}, {finish: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
			var logs, term bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}}))
			r := New(&term, log, Options{Label: "score", Unit: "rows", Now: clock.now})
			r.Reset("score", 200)
			for _, s := range tt.steps {
				clock.advance(s.after)
				if s.finish {
					r.Finish()
				} else {
					r.Add(s.add)
				}
			}
			got := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if logs.Len() == 0 {
				got = nil
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if term.Len() != 0 {
				t.Errorf("wrote %q to the writer off a terminal", term.String())
			}
		})
	}
}

// TestReporter_Start checks that Start ticks until stopped, that stop
// waits and shows the last line, and that a nil Reporter does nothing.
func TestReporter_Start(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, nil, Options{Label: "fit", Terminal: true, Redraw: time.Millisecond})
	stop := r.Start(t.Context())
	r.Add(5)
	time.Sleep(20 * time.Millisecond)
	stop()
	if out := buf.String(); !strings.HasPrefix(out, "\rfit: 5") || !strings.HasSuffix(out, "\n") {
		t.Errorf("got %q; want redraws of fit: 5 ending with a newline", out)
	}
	var nilR *Reporter
	nilR.Add(1)
	nilR.Reset("x", 1)
	nilR.SetFraction(0.5)
	nilR.Start(t.Context())()
}

func TestFormats(t *testing.T) {
	counts := []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-12345, "-12,345"}}
	for _, tt := range counts {
		if got := Count(tt.n); got != tt.want {
			t.Errorf("Count(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
	rates := []struct {
		v    float64
		want string
	}{{0, "0"}, {12.4, "12"}, {999.4, "999"}, {999.6, "1k"}, {12345, "12.3k"}, {1.02e6, "1.02M"}, {4.5e7, "45M"}}
	for _, tt := range rates {
		if got := Rate(tt.v); got != tt.want {
			t.Errorf("Rate(%v) = %q; want %q", tt.v, got, tt.want)
		}
	}
	clocks := []struct {
		d    time.Duration
		want string
	}{{0, "0:00"}, {1500 * time.Millisecond, "0:02"}, {61 * time.Second, "1:01"}, {3725 * time.Second, "1:02:05"}}
	for _, tt := range clocks {
		if got := Clock(tt.d); got != tt.want {
			t.Errorf("Clock(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	f, err := openTemp(t)
	if err != nil {
		t.Fatal(err)
	}
	if IsTerminal(f) {
		t.Error("a regular file is a terminal")
	}
}
