package serve

import (
	"strconv"

	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/scorecard"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// appendScore appends ,"score":N for a scorecard model, the points of the
// feature vector x; nothing for any other model.
func appendScore(b []byte, m *model.Model, x []float64) []byte {
	if s, ok := m.Score(x); ok {
		b = append(b, `,"score":`...)
		b = strconv.AppendInt(b, int64(s), 10)
	}
	return b
}

// appendPoints appends ,"points":[…] for a scorecard model: every
// characteristic's bin, points, maximum points and points lost, most
// points lost first (the adverse-action ranking); nothing for any other
// model.
func appendPoints(b []byte, m *model.Model, x []float64) []byte {
	if m.Scorecard == nil {
		return b
	}
	return appendPointsList(b, m.PointsLost(x, 0))
}

func appendPointsList(b []byte, ps []scorecard.Reason) []byte {
	if ps == nil {
		return b
	}
	b = append(b, `,"points":[`...)
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"characteristic":`...)
		b = wire.AppendString(b, p.Characteristic)
		b = append(b, `,"bin":`...)
		b = wire.AppendString(b, p.Bin)
		b = append(b, `,"points":`...)
		b = strconv.AppendInt(b, int64(p.Points), 10)
		b = append(b, `,"max_points":`...)
		b = strconv.AppendInt(b, int64(p.MaxPoints), 10)
		b = append(b, `,"points_lost":`...)
		b = strconv.AppendInt(b, int64(p.PointsLost), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}
