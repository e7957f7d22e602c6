package report

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

// plotFiles are the files Write puts in PlotDir when the champion has
// importances.
var plotFiles = []string{ROCPlot, PRPlot, CalibrationPlot, ScorePlot, ImportancePlot}

func TestWrite(t *testing.T) {
	in := synthInput(t, 5000, 1)
	dir := filepath.Join(t.TempDir(), "reports", in.RunID)
	path, err := Write(t.Context(), dir, in)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if want := filepath.Join(dir, PageName); path != want {
		t.Errorf("got path %q; want %q", path, want)
	}
	page := readFile(t, path)

	t.Run("plots", func(t *testing.T) {
		for _, name := range plotFiles {
			b := readFile(t, filepath.Join(dir, PlotDir, name))
			if !strings.Contains(b, "<svg") {
				t.Errorf("%s: got no <svg> element", name)
			}
			checkXML(t, name, []byte(b))
			if src := `src="` + PlotDir + "/" + name + `"`; !strings.Contains(page, src) {
				t.Errorf("page: got no %s", src)
			}
		}
		// The synthetic champion has few loans above PD 0.9: that bin is
		// drawn open and the legend says why.
		small := false
		for _, c := range in.Candidates {
			rel, err := metrics.Reliability(c.Y, c.PD, calibrationBins)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range rel {
				small = small || b.Count < minBinCount
			}
		}
		if !small {
			t.Fatal("synthetic input has no small calibration bin; the check below would be vacuous")
		}
		if cal := readFile(t, filepath.Join(dir, PlotDir, CalibrationPlot)); !strings.Contains(cal, "fewer than 30 loans") {
			t.Error("calibration.svg: got no legend entry for small bins")
		}
		entries, err := os.ReadDir(filepath.Join(dir, PlotDir))
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(plotFiles) {
			t.Errorf("got %d files in %s; want %d (no temporary files left)", len(entries), PlotDir, len(plotFiles))
		}
	})

	t.Run("candidates and metrics", func(t *testing.T) {
		for _, c := range in.Candidates {
			if !strings.Contains(page, ">"+c.Name) {
				t.Errorf("page: got no candidate %q", c.Name)
			}
			if !strings.Contains(page, c.Name+" v") {
				t.Errorf("page: got no %q with its version", c.Name)
			}
			for _, col := range slices.Concat(qualityColumns(), decisionColumns()) {
				if !strings.Contains(page, ">"+col.Label+"<") {
					t.Errorf("page: got no column %q", col.Label)
				}
				if v := metricText(&c.Metrics, col); !strings.Contains(page, ">"+v+"<") {
					t.Errorf("page: got no %s = %s of %q", col.Label, v, c.Name)
				}
			}
		}
		if got := strings.Count(page, `<span class="badge">champion</span>`); got != 3 {
			t.Errorf("got %d champion badges; want 3 (selection and the two metrics tables)", got)
		}
		if got := strings.Count(page, `<tr class="champion">`); got != 3 {
			t.Errorf("got %d champion rows; want 3", got)
		}
	})

	t.Run("sections", func(t *testing.T) {
		for _, want := range []string{
			in.RunID, in.Dataset, "2024-06-11 10:15:00 UTC",
			"Actual bad", "Predicted good", // confusion matrix
			">36 months<", ">n/a<", // segment levels, the undefined AUC
			">purpose=small_business<",                 // importance table
			">total_pymnt<", ">leakage<", "2011-04-01", // data summary
			"3 columns: 1 constant, 1 free_text, 1 leakage.", "<details open>",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page: got no %q", want)
			}
		}
		for _, bad := range []string{"ZgotmplZ", "{{", "<script", "http://", "https://"} {
			if strings.Contains(page, bad) {
				t.Errorf("page: got %q; want none (escaped, offline, no script)", bad)
			}
		}
	})
}

func TestWrite_confusion(t *testing.T) {
	// Five loans at threshold 0.5: one each of TP, FP, TN, FN, plus a
	// second TP at exactly the threshold (PD >= threshold predicts bad).
	in := &Input{RunID: "r", Candidates: []Candidate{{
		Name: "m", Version: 1, Champion: true, Threshold: 0.5,
		Y:  []float64{1, 1, 0, 0, 1},
		PD: []float64{0.9, 0.5, 0.7, 0.1, 0.2},
	}}}
	dir := t.TempDir()
	path, err := Write(t.Context(), dir, in)
	if err != nil {
		t.Fatal(err)
	}
	page := readFile(t, path)
	for _, want := range []string{
		`<td class="tp">2<span class="rate">66.7% of bad (recall)</span>`,
		`<td class="fn">1<span class="rate">33.3% of bad</span>`,
		`<td class="fp">1<span class="rate">50.0% of good</span>`,
		`<td class="tn">1<span class="rate">50.0% of good</span>`,
		`<td>3<span class="rate">60.0% of loans</span>`,
		`Precision 0.6667`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page: got no %q", want)
		}
	}
	// No metrics, segments or importance: the page says so, and there is
	// no importance plot.
	for _, want := range []string{">n/a<", "No segment results", "No SHAP importance"} {
		if !strings.Contains(page, want) {
			t.Errorf("page: got no %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, PlotDir, ImportancePlot)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("importance plot: got stat error %v; want not exist", err)
	}
}

func TestWrite_escaping(t *testing.T) {
	const hostile = `<script>alert("x")</script>&<img src=x onerror=alert(1)>`
	in := mutate(synthInput(t, 2000, 2), func(in *Input) {
		in.RunID = hostile
		in.Dataset = hostile
		in.Data.Dropped = append(in.Data.Dropped, Dropped{Name: hostile, Reason: hostile, Detail: hostile})
		for i := range in.Candidates {
			c := &in.Candidates[i]
			c.Name += hostile
			c.ThresholdRule = hostile
			c.Metrics.Extra = map[string]float64{hostile: 1}
			c.Segments = append(c.Segments, SegmentAUC{Segment: hostile, Level: hostile, Rows: 1, AUC: math.NaN()})
			c.Importance[0].Feature = hostile + "\x00\x1b[31m\xff"
		}
	})
	dir := t.TempDir()
	path, err := Write(t.Context(), dir, in)
	if err != nil {
		t.Fatal(err)
	}
	page := readFile(t, path)
	for _, bad := range []string{"<script", "<img src=x", "ZgotmplZ"} {
		if strings.Contains(page, bad) {
			t.Errorf("page: got %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("page: got no escaped hostile name")
	}
	for _, name := range plotFiles {
		b := readFile(t, filepath.Join(dir, PlotDir, name))
		checkXML(t, name, []byte(b))
		if strings.Contains(b, "<script") {
			t.Errorf("%s: got <script unescaped", name)
		}
	}
}

func TestWrite_errors(t *testing.T) {
	valid := synthInput(t, 500, 3)
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		in   *Input
		want error
	}{
		{"nil input", nil, nil, ErrEmpty},
		{"no candidates", nil, &Input{RunID: "r"}, ErrEmpty},
		{"no rows", nil, mutate(valid, func(in *Input) { in.Candidates[1].Y, in.Candidates[1].PD = nil, nil }), ErrEmpty},
		{"length mismatch", nil, mutate(valid, func(in *Input) { in.Candidates[2].PD = in.Candidates[2].PD[1:] }), ErrLength},
		{"no champion", nil, mutate(valid, func(in *Input) { in.Candidates[0].Champion = false }), ErrChampion},
		{"two champions", nil, mutate(valid, func(in *Input) { in.Candidates[2].Champion = true }), ErrChampion},
		{"empty name", nil, mutate(valid, func(in *Input) { in.Candidates[1].Name = "" }), ErrName},
		{"duplicate name", nil, mutate(valid, func(in *Input) { in.Candidates[1].Name, in.Candidates[1].Version = "gbdt", 3 }), ErrName},
		{"label 2", nil, mutate(valid, func(in *Input) { in.Candidates[0].Y[7] = 2 }), ErrLabel},
		{"NaN label", nil, mutate(valid, func(in *Input) { in.Candidates[0].Y[7] = math.NaN() }), ErrLabel},
		{"NaN PD", nil, mutate(valid, func(in *Input) { in.Candidates[1].PD[3] = math.NaN() }), ErrPD},
		{"PD above 1", nil, mutate(valid, func(in *Input) { in.Candidates[1].PD[3] = 1.5 }), ErrPD},
		{"negative PD", nil, mutate(valid, func(in *Input) { in.Candidates[1].PD[3] = -0.1 }), ErrPD},
		{"NaN threshold", nil, mutate(valid, func(in *Input) { in.Candidates[0].Threshold = math.NaN() }), ErrPD},
		{"one class", nil, mutate(valid, func(in *Input) {
			c := &in.Candidates[0]
			c.Y = make([]float64, len(c.Y))
		}), ErrOneClass},
		{"negative importance", nil, mutate(valid, func(in *Input) { in.Candidates[0].Importance[2].MeanAbsSHAP = -1 }), ErrImportance},
		{"NaN importance", nil, mutate(valid, func(in *Input) { in.Candidates[0].Importance[2].MeanAbsSHAP = math.NaN() }), ErrImportance},
		{"canceled", canceled, valid, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			dir := filepath.Join(t.TempDir(), "run")
			path, err := Write(ctx, dir, tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v; want %v", err, tt.want)
			}
			if path != "" {
				t.Errorf("got path %q; want none", path)
			}
			if !strings.HasPrefix(err.Error(), "report: ") {
				t.Errorf("got message %q; want the prefix \"report: \"", err)
			}
			if _, err := os.Stat(filepath.Join(dir, PageName)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("report.html: got stat error %v; want not exist", err)
			}
		})
	}
}

func TestWrite_candidateError(t *testing.T) {
	in := mutate(synthInput(t, 500, 4), func(in *Input) { in.Candidates[2].PD[10] = 2 })
	_, err := Write(t.Context(), t.TempDir(), in)
	var ce *CandidateError
	if !errors.As(err, &ce) {
		t.Fatalf("got error %v; want a *CandidateError", err)
	}
	if ce.Index != 2 || ce.Name != "forest" || ce.Version != 1 {
		t.Errorf("got candidate %d %q v%d; want 2 \"forest\" v1", ce.Index, ce.Name, ce.Version)
	}
	if want := `report: candidate 2 ("forest" v1): row 10: PD 2: report: probability outside [0, 1]`; err.Error() != want {
		t.Errorf("got message %q; want %q", err, want)
	}
}

// TestWrite_noPartialPage checks that a Write that fails after it started
// writing leaves no report.html, and that a failed Write over an earlier
// report leaves that report.html as it was.
func TestWrite_noPartialPage(t *testing.T) {
	in := synthInput(t, 500, 5)
	t.Run("plot folder is a file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, PlotDir), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Write(t.Context(), dir, in); err == nil {
			t.Fatal("got no error; want one")
		}
		assertNoPage(t, dir)
	})
	t.Run("plot file is a folder", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, PlotDir, ScorePlot), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := Write(t.Context(), dir, in); err == nil {
			t.Fatal("got no error; want one")
		}
		assertNoPage(t, dir)
	})
	t.Run("earlier report kept", func(t *testing.T) {
		dir := t.TempDir()
		path, err := Write(t.Context(), dir, in)
		if err != nil {
			t.Fatal(err)
		}
		before := readFile(t, path)
		bad := mutate(in, func(in *Input) { in.RunID = "other"; in.Candidates[0].Champion = false })
		if _, err := Write(t.Context(), dir, bad); err == nil {
			t.Fatal("got no error; want one")
		}
		if after := readFile(t, path); after != before {
			t.Error("report.html changed after a failed Write")
		}
	})
}

func assertNoPage(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), PageName) {
			t.Errorf("got %s in the report folder; want no page", e.Name())
		}
	}
}

func TestWrite_deterministic(t *testing.T) {
	extra := []string{"kappa", "fit_rows", "zeta"}
	in := mutate(synthInput(t, 3000, 6), func(in *Input) {
		for i := range in.Candidates {
			in.Candidates[i].Metrics.Extra = map[string]float64{}
			for j, k := range extra {
				in.Candidates[i].Metrics.Extra[k] = float64(j)
			}
		}
	})
	a, b := t.TempDir(), t.TempDir()
	if _, err := Write(t.Context(), a, in); err != nil {
		t.Fatal(err)
	}
	// Shuffle the insertion order of the extra metrics and tie the
	// importances: the output must not change.
	in2 := mutate(in, func(in *Input) {
		for i := range in.Candidates {
			m := make(map[string]float64)
			for _, k := range slices.Backward(extra) {
				m[k] = in.Candidates[i].Metrics.Extra[k]
			}
			in.Candidates[i].Metrics.Extra = m
		}
	})
	if _, err := Write(t.Context(), b, in2); err != nil {
		t.Fatal(err)
	}
	for _, name := range append([]string{PageName}, prefixed(PlotDir+"/", plotFiles)...) {
		if readFile(t, filepath.Join(a, name)) != readFile(t, filepath.Join(b, name)) {
			t.Errorf("%s: got different bytes for the same input", name)
		}
	}
}

func TestWrite_overwrite(t *testing.T) {
	dir := t.TempDir()
	for seed := range uint64(2) {
		in := synthInput(t, 800, 10+seed)
		in.RunID = "run-" + string(rune('a'+seed))
		path, err := Write(t.Context(), dir, in)
		if err != nil {
			t.Fatalf("write %d: %v", seed, err)
		}
		if page := readFile(t, path); !strings.Contains(page, in.RunID) {
			t.Errorf("write %d: got a page without run %q", seed, in.RunID)
		}
	}
}

func TestWrite_staleImportance(t *testing.T) {
	dir := t.TempDir()
	in := synthInput(t, 500, 8)
	if _, err := Write(t.Context(), dir, in); err != nil {
		t.Fatal(err)
	}
	plot := filepath.Join(dir, PlotDir, ImportancePlot)
	if _, err := os.Stat(plot); err != nil {
		t.Fatalf("first write: %v", err)
	}
	in.Candidates[0].Importance = nil
	if _, err := Write(t.Context(), dir, in); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(plot); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second write: got stat error %v; want the stale plot removed", err)
	}
}

func TestWrite_doesNotModifyInput(t *testing.T) {
	in := synthInput(t, 500, 7)
	// Importances out of order: Write sorts a copy.
	in.Candidates[0].Importance[0], in.Candidates[0].Importance[1] = in.Candidates[0].Importance[1], in.Candidates[0].Importance[0]
	want := mutate(in, func(*Input) {})
	if _, err := Write(t.Context(), t.TempDir(), in); err != nil {
		t.Fatal(err)
	}
	for i := range in.Candidates {
		if !slices.Equal(in.Candidates[i].Importance, want.Candidates[i].Importance) {
			t.Errorf("candidate %d: importances changed", i)
		}
		if !slices.Equal(in.Candidates[i].PD, want.Candidates[i].PD) {
			t.Errorf("candidate %d: PDs changed", i)
		}
	}
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
