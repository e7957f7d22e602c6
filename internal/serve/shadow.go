package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// The challenger in shadow: when the challenger alias exists (a retrain
// registered a candidate that did not pass the promotion gates), the
// server also scores a share of live /predict applications with it, on one
// goroutine off the response path, and measures how the two models agree.
// A response never waits for, depends on or fails because of the
// challenger: the application is handed over after the answer is written,
// through a bounded queue that drops (and counts) what it cannot take.

// shadowQueue is the most applications waiting for the challenger.
const shadowQueue = 1024

// shadowWindow is the number of recent shadowed applications the
// agreement figures of /stats and the score PSI are computed on.
const shadowWindow = 5000

// shadowBins are the PD bins of the champion/challenger score PSI: 20
// bins 0.05 wide.
const shadowBins = 20

// shadowJob is one application to score with the challenger: a copy of
// the body, and the champion's answer.
type shadowJob struct {
	body      []byte
	pd        float64
	pred      int
	challenge *loaded
}

// shadow is the challenger's agreement with the champion over the
// applications scored by both.
type shadow struct {
	jobs chan shadowJob

	mu sync.Mutex
	// A ring of the recent pairs: champion PD, challenger PD.
	champ, chall []float64
	next         int
	full         bool
	scored       uint64
	errors       uint64
	dropped      uint64
	flips        [2]uint64 // approved → declined, declined → approved
}

func newShadow() *shadow {
	return &shadow{
		jobs:  make(chan shadowJob, shadowQueue),
		champ: make([]float64, shadowWindow),
		chall: make([]float64, shadowWindow),
	}
}

// challengerFiles are the challenger alias and its metadata: the
// configured path, else challenger.model beside the champion alias.
func (c *Config) challengerFiles() (modelPath, metaPath string) {
	p := c.ChallengerPath
	if p == "" {
		p = filepath.Join(filepath.Dir(c.ModelPath), ChallengerAlias+model.Ext)
	}
	return filepath.Clean(p), filepath.Clean(model.MetadataPath(p))
}

// ChallengerAlias is the base name of the challenger alias a retrain
// writes beside the champion's (production).
const ChallengerAlias = "challenger"

// offerShadow hands a scored application to the challenger when one is
// loaded and the request falls in the shadowed share. It never blocks.
func (s *Server) offerShadow(body string, pd float64, pred int) {
	ch := s.challenger.Load()
	if ch == nil || s.shadowEvery == 0 || s.shadowTick.Add(1)%s.shadowEvery != 0 {
		return
	}
	select {
	case s.shadow.jobs <- shadowJob{body: []byte(body), pd: pd, pred: pred, challenge: ch}:
	default:
		s.shadow.mu.Lock()
		s.shadow.dropped++
		s.shadow.mu.Unlock()
		s.metrics.shadowDropped.Inc()
	}
}

// runShadow scores queued applications with the challenger until stop.
func (s *Server) runShadow() {
	for {
		select {
		case <-s.stop:
			return
		case job := <-s.shadow.jobs:
			s.shadowScore(job)
		}
	}
}

// shadowScore scores one application with the challenger and records the
// agreement. A panic in the challenger's code is logged and counted as an
// error; it never reaches a client.
func (s *Server) shadowScore(job shadowJob) {
	l := job.challenge
	defer func() {
		if v := recover(); v != nil {
			s.recordShadowError()
			s.logger.Error("panic scoring with the challenger", "challenger", l.version, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	sc := l.getScratch()
	defer l.putScratch(sc)
	sc.app.Reset(len(l.names))
	if err := wire.DecodeApplication(string(job.body), l.index, &sc.app); err != nil {
		s.recordShadowError()
		return
	}
	pd, pred, problems := score(l, sc)
	if problems != nil {
		s.recordShadowError() // the challenger's pipeline refuses what the champion scored
		return
	}
	sh := s.shadow
	sh.mu.Lock()
	sh.champ[sh.next], sh.chall[sh.next] = job.pd, pd
	if sh.next++; sh.next == len(sh.champ) {
		sh.next, sh.full = 0, true
	}
	sh.scored++
	if pred != job.pred {
		sh.flips[job.pred]++
	}
	sh.mu.Unlock()
	s.metrics.shadowScored.Inc()
	s.metrics.shadowPDDiff.Observe(pd - job.pd)
	if pred != job.pred {
		s.metrics.shadowFlips[job.pred].Inc()
	}
}

func (s *Server) recordShadowError() {
	s.shadow.mu.Lock()
	s.shadow.errors++
	s.shadow.mu.Unlock()
	s.metrics.shadowErrors.Inc()
}

// shadowStats is the challenger's part of /stats.
type shadowStats struct {
	// Challenger is the challenger's version, "" when none is loaded.
	Challenger string `json:"challenger,omitempty"`
	// Share is the share of /predict applications shadowed.
	Share float64 `json:"share"`
	// Scored, Errors and Dropped count applications since start: scored
	// by both, refused by the challenger, and not taken (queue full).
	Scored  uint64 `json:"scored"`
	Errors  uint64 `json:"errors"`
	Dropped uint64 `json:"dropped"`
	// Flips count decisions the challenger would change.
	FlipsToDeclined uint64 `json:"flips_approved_to_declined"`
	FlipsToApproved uint64 `json:"flips_declined_to_approved"`
	// Window is the number of recent pairs the figures below use.
	Window int `json:"window"`
	// PDDifference holds quantiles of challenger PD minus champion PD.
	PDDifference map[string]float64 `json:"pd_difference,omitempty"`
	// ScorePSI is the PSI of the challenger's PDs against the champion's
	// over the window (20 bins 0.05 wide).
	ScorePSI *float64 `json:"score_psi,omitempty"`
	// Reason says why there are no figures.
	Reason string `json:"reason,omitempty"`
}

// stats summarises the agreement.
func (sh *shadow) stats() shadowStats {
	sh.mu.Lock()
	n := sh.next
	if sh.full {
		n = len(sh.champ)
	}
	champ, chall := slices.Clone(sh.champ[:n]), slices.Clone(sh.chall[:n])
	st := shadowStats{Scored: sh.scored, Errors: sh.errors, Dropped: sh.dropped,
		FlipsToDeclined: sh.flips[0], FlipsToApproved: sh.flips[1], Window: n}
	sh.mu.Unlock()
	if n == 0 {
		st.Reason = "no application has been scored by both models yet"
		return st
	}
	diff := make([]float64, n)
	for i := range diff {
		diff[i] = chall[i] - champ[i]
	}
	slices.Sort(diff)
	q := func(p float64) float64 { return diff[min(n-1, int(math.Floor(p*float64(n))))] }
	st.PDDifference = map[string]float64{"p05": q(0.05), "p50": q(0.5), "p95": q(0.95)}
	if psi, err := metrics.PSI(pdBins(champ), pdBins(chall)); err == nil {
		st.ScorePSI = &psi
	}
	return st
}

// scorePSI is the PSI of the window, NaN when empty.
func (sh *shadow) scorePSI() float64 {
	st := sh.stats()
	if st.ScorePSI == nil {
		return math.NaN()
	}
	return *st.ScorePSI
}

// pdBins counts PDs in shadowBins bins 0.05 wide.
func pdBins(pds []float64) []float64 {
	out := make([]float64, shadowBins)
	for _, p := range pds {
		out[min(shadowBins-1, max(0, int(p*shadowBins)))]++
	}
	return out
}

// reloadChallenger loads the challenger alias when it points at new files
// (always when force), drops the challenger when the alias is gone, and
// keeps the one loaded when new files fail to load (logged once per
// version). The champion is never affected.
func (s *Server) reloadChallenger(force bool) error {
	if s.shadowEvery == 0 {
		return nil
	}
	s.challengerMu.Lock()
	defer s.challengerMu.Unlock()
	modelPath, metaPath := s.cfg.challengerFiles()
	cur := s.challenger.Load()
	src, err := statSource(modelPath, metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		if cur != nil {
			s.challenger.Store(nil)
			s.logger.Info("the challenger alias is gone; shadow scoring stops", "previous", cur.version)
		}
		s.challengerFailed = sourceID{}
		return nil
	}
	if !force && err == nil && ((cur != nil && src == cur.source) || src == s.challengerFailed) {
		return ErrUnchanged
	}
	var l *loaded
	if err == nil {
		l, err = loadModel(modelPath, metaPath, 0, s.cfg.RangePolicy, s.build)
	}
	if err != nil {
		s.challengerFailed = src
		serving := "none"
		if cur != nil {
			serving = cur.version
		}
		s.logger.Error("challenger load failed; shadow scoring goes on with the previous one", "err", err, "challenger", serving)
		return fmt.Errorf("challenger: %w", err)
	}
	l.source = src
	s.challenger.Store(l)
	s.challengerFailed = sourceID{}
	from := ""
	if cur != nil {
		from = cur.version
	}
	s.logger.Info("challenger loaded: shadow scoring a share of /predict", "challenger", l.version, "previous", from,
		"share", 1/float64(s.shadowEvery))
	return nil
}
