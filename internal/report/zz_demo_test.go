package report

import "testing"

func TestDemo(t *testing.T) {
	in := synthInput(t, 20000, 1)
	p, err := Write(t.Context(), "/tmp/report-demo", in)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(p)
}
