package progress

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	// DefaultRedraw is the least time between two redraws on a terminal.
	DefaultRedraw = 200 * time.Millisecond
	// DefaultEvery is the time between two log lines off a terminal.
	DefaultEvery = 10 * time.Second
)

// Options configure a Reporter.
type Options struct {
	// Label names the step in every line ("score").
	Label string
	// Unit names what is counted ("rows").
	Unit string
	// Terminal redraws one line on the writer; otherwise lines go to the
	// logger.
	Terminal bool
	// Redraw is the least time between two redraws on a terminal; 0 means
	// DefaultRedraw.
	Redraw time.Duration
	// Every is the time between two log lines; 0 means DefaultEvery.
	Every time.Duration
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
}

// Reporter counts what a step has done and shows it. Its methods are safe
// for concurrent use. A nil *Reporter does nothing, so callers need not
// check for one.
type Reporter struct {
	w    io.Writer
	log  *slog.Logger
	opts Options

	mu      sync.Mutex
	started time.Time
	last    time.Time // the last line shown
	shown   bool      // a line was shown since Reset
	done    int64
	total   int64   // 0: unknown
	frac    float64 // the share done when the total is unknown; -1: unknown
}

// New returns a Reporter that redraws on w when opts.Terminal is set and
// logs on log otherwise (nil: no log lines). Its clock starts now.
func New(w io.Writer, log *slog.Logger, opts Options) *Reporter {
	if opts.Redraw <= 0 {
		opts.Redraw = DefaultRedraw
	}
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &Reporter{w: w, log: log, opts: opts}
	r.Reset(opts.Label, 0)
	return r
}

// IsTerminal reports whether w is a terminal (a character device), where
// a line can be redrawn in place.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Reset starts a new step named label with total units to do (0:
// unknown), restarting the clock and the count.
func (r *Reporter) Reset(label string, total int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opts.Label = label
	r.started = r.opts.Now()
	r.last = r.started
	r.shown = false
	r.done, r.total, r.frac = 0, total, -1
}

// Add counts n more units done and shows the progress when it is time.
func (r *Reporter) Add(n int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += n
	r.maybeShow()
}

// SetFraction gives the share of the step done, in [0, 1], for a step
// whose total is not known in units (such as the bytes read of a file of
// unknown row count): the percentage and the time left come from it.
func (r *Reporter) SetFraction(f float64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frac = min(max(f, 0), 1)
}

// Tick shows the progress when it is time, even when nothing was added,
// so that the rate and time left stay current.
func (r *Reporter) Tick() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.maybeShow()
}

// Start ticks every Redraw (terminal) or Every until ctx is done or the
// returned stop is called; stop waits for the ticking to end and shows
// the last line (Finish).
func (r *Reporter) Start(ctx context.Context) (stop func()) {
	if r == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(r.interval())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.Tick()
			}
		}
	}()
	return func() {
		cancel()
		<-ended
		r.Finish()
	}
}

// Finish shows the step's last line: on a terminal always, ending the
// line; in the log only when a line was logged before, so that a short
// step logs nothing.
func (r *Reporter) Finish() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.opts.Terminal && !r.shown {
		return
	}
	r.show(r.opts.Now(), true)
}

func (r *Reporter) interval() time.Duration {
	if r.opts.Terminal {
		return r.opts.Redraw
	}
	return r.opts.Every
}

// maybeShow shows the progress when the interval has passed since the
// last line. r.mu is held.
func (r *Reporter) maybeShow() {
	now := r.opts.Now()
	if now.Sub(r.last) < r.interval() {
		return
	}
	r.show(now, false)
}

// show writes one line. r.mu is held.
func (r *Reporter) show(now time.Time, final bool) {
	r.last, r.shown = now, true
	elapsed := now.Sub(r.started)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(r.done) / elapsed.Seconds()
	}
	frac := r.frac
	if r.total > 0 {
		frac = min(float64(r.done)/float64(r.total), 1)
	}
	eta := time.Duration(-1)
	if frac > 0 && !final {
		eta = time.Duration(float64(elapsed) * (1 - frac) / frac)
	}
	if !r.opts.Terminal {
		if r.log == nil {
			return
		}
		attrs := []any{"done", r.done, "unit", r.opts.Unit, "rate_per_s", int64(rate + 0.5), "elapsed", elapsed.Round(time.Second).String()}
		if r.total > 0 {
			attrs = append(attrs, "total", r.total)
		}
		if frac >= 0 {
			attrs = append(attrs, "percent", int(frac*100))
		}
		if eta >= 0 {
			attrs = append(attrs, "eta", eta.Round(time.Second).String())
		}
		msg := r.opts.Label
		if final {
			msg += " done"
		}
		r.log.Info(msg, attrs...)
		return
	}
	var b strings.Builder
	b.WriteString("\r")
	b.WriteString(r.opts.Label)
	b.WriteString(": ")
	b.WriteString(Count(r.done))
	if r.total > 0 {
		b.WriteString("/")
		b.WriteString(Count(r.total))
	}
	if r.opts.Unit != "" {
		b.WriteString(" ")
		b.WriteString(r.opts.Unit)
	}
	if frac >= 0 {
		fmt.Fprintf(&b, " (%.0f%%)", 100*frac)
	}
	fmt.Fprintf(&b, ", %s/s", Rate(rate))
	if eta >= 0 {
		b.WriteString(", ETA ")
		b.WriteString(Clock(eta))
	}
	if final {
		b.WriteString(" in ")
		b.WriteString(Clock(elapsed))
	}
	b.WriteString("\x1b[K") // erase the rest of the old line
	if final {
		b.WriteString("\n")
	}
	io.WriteString(r.w, b.String())
}

// Count writes n with thousands separators: 1,234,567.
func Count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Rate writes a rate with three significant digits and a k or M suffix:
// 987, 12.3k, 1.02M.
func Rate(v float64) string {
	switch {
	case v >= 999.5e3:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 999.5:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// Clock writes a duration as m:ss, or h:mm:ss from an hour.
func Clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
