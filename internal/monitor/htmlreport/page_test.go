package htmlreport

import (
	"bytes"
	"context"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/monitor"
)

// result returns a small result with every section.
func result(t testing.TB) *monitor.Result {
	t.Helper()
	score := model.Bins{Name: "score", Edges: []float64{0.1, 0.2}, Shares: []float64{0.3, 0.3, 0.4, 0}}
	feat := model.Bins{Name: "<b>x</b>", Edges: []float64{1}, Shares: []float64{0.5, 0.5, 0}}
	si, err := monitor.NewIndex("score", "", &score, []int{30, 30, 40, 0})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := monitor.NewIndex("<b>x</b>", "<script>alert(1)</script>", &feat, []int{90, 10, 0})
	if err != nil {
		t.Fatal(err)
	}
	jan := monitor.Month(2011 * 12)
	var outcomes []monitor.Outcome
	for i := range 200 {
		pd := float64(i%10)/40 + 0.01
		outcomes = append(outcomes, monitor.Outcome{PD: pd, Bad: i%7 == 0 || pd > 0.2 && i%3 == 0, Month: jan + monitor.Month(i%3)})
	}
	bt, err := monitor.NewBacktest(outcomes, &score, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	v := monitor.NewVintage([]monitor.Loan{{Origination: jan, Bad: true, Default: jan + 4}, {Origination: jan + 1}, {Origination: jan + 3, Bad: true, Default: monitor.NoMonth}}, monitor.ByQuarter, jan+12)
	res := &monitor.Result{
		CreatedAt:  time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC),
		Model:      monitor.ModelInfo{Name: "gbdt", Version: 3, Algorithm: "gbdt", File: "gbdt_v3.model", TestAUC: 0.7},
		Dataset:    "lending_club",
		Inputs:     []string{"recent.csv"},
		Rows:       monitor.Rows{Read: 1200, Scored: 100, Matured: 200},
		Thresholds: monitor.Thresholds{MaxScorePSI: 0.25, MaxCSI: 0.25, MaxAUCDrop: 0.05, MaxBadRateRatio: 1.5, BandAlpha: 0.01, MinRows: 50, MinAUC: monitor.Float(math.Inf(1))},
		Stability:  monitor.Stability{Score: si, Characteristics: []monitor.Index{fi}, Judged: true},
		Backtest:   bt,
		Vintage:    &v,
		Unscored:   []monitor.Reason{{Field: "dti", Problem: "missing", Rows: 2}},
	}
	res.Breaches = monitor.Check(res)
	return res
}

func TestRender(t *testing.T) {
	res := result(t)
	var buf bytes.Buffer
	if err := Render(t.Context(), &buf, res, Options{DefaultDate: "last_pymnt_d"}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"Monitoring report: gbdt v3 (gbdt)",
		"breached</strong>", "CSI of &lt;b&gt;x&lt;/b&gt;",
		`id="stability"`, `id="backtest"`, `id="vintage"`, `id="unscored"`,
		"Score PSI and the largest", "Per score band", "Per origination month", "2011-03",
		"2011Q1", "last_pymnt_d",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "<b>x") {
		t.Error("page holds unescaped text from the result")
	}
	// Self-contained: every image is a data: URI, nothing is fetched.
	imgs := regexp.MustCompile(`<img src="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(imgs) != 5 {
		t.Errorf("%d images; want 5 (stability, bands, AUC and rates by month, vintage)", len(imgs))
	}
	for _, m := range imgs {
		if !strings.HasPrefix(html.UnescapeString(m[1]), "data:image/svg+xml;base64,") {
			t.Errorf("image %.60s is not an inline SVG", m[1])
		}
	}
	if regexp.MustCompile(`(?i)(src|href)="(https?:|//)`).MatchString(page) {
		t.Error("page refers to the network")
	}
}

func TestRenderSkipped(t *testing.T) {
	res := result(t)
	res.Backtest, res.Vintage = nil, nil
	res.Skipped = map[monitor.Section]string{
		monitor.SectionBacktest: "the files have no target column",
		monitor.SectionVintage:  "the spec has no date column",
	}
	res.Breaches = nil
	var buf bytes.Buffer
	if err := Render(t.Context(), &buf, res, Options{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"No threshold breached", "Skipped: the files have no target column", "Skipped: the spec has no date column"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestWriteFileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteFile(ctx, path, result(t), Options{}); err == nil {
		t.Fatal("got nil error with a cancelled context")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed WriteFile left %s (stat: %v)", path, err)
	}
}
