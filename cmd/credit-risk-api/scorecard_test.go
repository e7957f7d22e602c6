package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// TestEndToEndScorecardLendingClub retrains a scorecard alone on the real
// Lending Club file, serves it, and scores hundreds of raw rows through
// /predict?explain=true, /predict/batch and `credit-risk score`: the PDs
// agree to 1e-12 and the scores exactly. The score is then recomputed by
// hand from the scorecard table CSV written beside the model: the points
// of the row of each characteristic's bin add up to the served score, each
// characteristic's points lost are its table maximum minus its points,
// and a raw number falls inside the range of the bin it was scored in. It
// needs CREDIT_RISK_DATASETS.
func TestEndToEndScorecardLendingClub(t *testing.T) {
	ws := newLCWorkspace(t)
	datasets, api, work, runCLI := ws.datasets, ws.api, ws.work, ws.run
	runCLI("retrain", "--algorithms", "scorecard", "--tune-trials", "0")
	table := readTable(t, filepath.Join(work, "models", "scorecard_v1_table.csv"))

	header, rows := servetest.LendingClubRows(t, datasets, 400, 31)
	in := ws.writeCSV(t, "applications.csv", header, rows)
	runCLI("score", "--in", in, "--out", filepath.Join(work, "scores.csv"))
	cliScores := readScoreColumn(t, filepath.Join(work, "scores.csv"))
	pds := readScores(t, filepath.Join(work, "scores.csv"))

	p := start(t, api, "MODEL_PATH="+filepath.Join(work, "models", "production.model"))
	idCol := slices.Index(header, "id")
	apps := applications(header, rows)
	status, _, body := p.request(t, "POST", "/predict/batch", map[string]any{"applications": apps})
	if status != 200 {
		t.Fatalf("/predict/batch: status %d: %.500s", status, body)
	}
	var batch struct {
		Results []struct {
			PD    *float64 `json:"default_probability"`
			Score *int     `json:"score"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &batch); err != nil || len(batch.Results) != len(rows) {
		t.Fatalf("/predict/batch: %d results, %v", len(batch.Results), err)
	}
	scored, rangeChecks := 0, 0
	for i, app := range apps {
		id := rows[i][idCol]
		want, ok := cliScores[id]
		if !ok || pds[id].err != "" {
			continue
		}
		status, _, body := p.request(t, "POST", "/predict?explain=true", app)
		var one struct {
			PD     float64 `json:"default_probability"`
			Score  *int    `json:"score"`
			Points []struct {
				Characteristic string `json:"characteristic"`
				Bin            string `json:"bin"`
				Points         int    `json:"points"`
				MaxPoints      int    `json:"max_points"`
				PointsLost     int    `json:"points_lost"`
			} `json:"points"`
		}
		if status != 200 || json.Unmarshal(body, &one) != nil || one.Score == nil {
			t.Fatalf("row %s: /predict status %d: %.300s", id, status, body)
		}
		scored++
		if math.Abs(one.PD-pds[id].pd) > 1e-12 {
			t.Errorf("row %s: /predict PD %.17g; credit-risk score %.17g", id, one.PD, pds[id].pd)
		}
		if *one.Score != want {
			t.Errorf("row %s: /predict score %d; credit-risk score %d", id, *one.Score, want)
		}
		if got := batch.Results[i].Score; got == nil || *got != want || math.Abs(*batch.Results[i].PD-pds[id].pd) > 1e-12 {
			t.Errorf("row %s: /predict/batch score %v; credit-risk score %d", id, got, want)
		}
		if len(one.Points) != len(table.max) {
			t.Fatalf("row %s: points of %d characteristics; the table has %d", id, len(one.Points), len(table.max))
		}
		sum := 0
		for k, pt := range one.Points {
			tp, ok := table.points[[2]string{pt.Characteristic, pt.Bin}]
			if !ok {
				t.Fatalf("row %s: %s bin %q is not in the table", id, pt.Characteristic, pt.Bin)
			}
			sum += tp
			if pt.Points != tp || pt.MaxPoints != table.max[pt.Characteristic] || pt.PointsLost != table.max[pt.Characteristic]-tp {
				t.Errorf("row %s: %s: points %d, max points %d, points lost %d; the table says %d, %d, %d", id, pt.Characteristic, pt.Points, pt.MaxPoints, pt.PointsLost, tp, table.max[pt.Characteristic], table.max[pt.Characteristic]-tp)
			}
			if k > 0 && pt.PointsLost > one.Points[k-1].PointsLost {
				t.Errorf("row %s: points not ordered by points lost", id)
			}
			if v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(app[pt.Characteristic]), "%")), 64); err == nil {
				if lo, hi, ok := parseRange(pt.Bin); ok {
					rangeChecks++
					if !(lo <= v && v < hi) {
						t.Errorf("row %s: %s = %v scored in bin %s", id, pt.Characteristic, v, pt.Bin)
					}
				}
			}
		}
		if sum != *one.Score {
			t.Errorf("row %s: the table's points of its bins add up to %d; served score %d", id, sum, *one.Score)
		}
	}
	if scored < 300 || rangeChecks < 300 {
		t.Errorf("%d rows scored, %d range checks; want hundreds", scored, rangeChecks)
	}
	t.Logf("%d rows: identical scores from /predict, /predict/batch and credit-risk score, equal to the table's points (%d bins checked against the raw value)", scored, rangeChecks)
}

// scorecardTable is a scorecard table CSV read by characteristic and bin.
type scorecardTable struct {
	points map[[2]string]int
	max    map[string]int
}

func readTable(t *testing.T, path string) scorecardTable {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 3 {
		t.Fatalf("%s: %d records, %v", path, len(recs), err)
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			t.Fatalf("%s: no column %s in %q", path, name, recs[0])
		}
		return i
	}
	for _, c := range []string{"characteristic", "bin", "count", "share", "bad_rate", "woe", "iv", "points"} {
		col(c)
	}
	out := scorecardTable{points: map[[2]string]int{}, max: map[string]int{}}
	for _, r := range recs[1:] {
		p, err := strconv.Atoi(r[col("points")])
		if err != nil {
			t.Fatal(err)
		}
		c := r[col("characteristic")]
		out.points[[2]string{c, r[col("bin")]}] = p
		if m, ok := out.max[c]; !ok || p > m {
			out.max[c] = p
		}
	}
	return out
}

// readScoreColumn reads the score column of credit-risk score's output by
// id.
func readScoreColumn(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	id, sc := slices.Index(recs[0], "id"), slices.Index(recs[0], "score")
	if id < 0 || sc < 0 {
		t.Fatalf("scores have no id or score column: %q", recs[0])
	}
	out := map[string]int{}
	for _, r := range recs[1:] {
		if r[sc] == "" {
			continue
		}
		v, err := strconv.Atoi(r[sc])
		if err != nil {
			t.Fatal(err)
		}
		out[r[id]] = v
	}
	return out
}

// parseRange reads a range label "[lo, hi)" with -inf and +inf ends.
func parseRange(label string) (lo, hi float64, ok bool) {
	if !strings.HasPrefix(label, "[") || !strings.HasSuffix(label, ")") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(label[1:len(label)-1], ", ")
	if !found {
		return 0, 0, false
	}
	var err1, err2 error
	lo, err1 = strconv.ParseFloat(a, 64)
	hi, err2 = strconv.ParseFloat(b, 64)
	return lo, hi, err1 == nil && err2 == nil
}
