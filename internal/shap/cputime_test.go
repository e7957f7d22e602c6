package shap

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPUTime(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	x, X := benchExplainer(&testing.B{}, 100, 6, 256)
	phi := make([]float64, benchFeatures)
	n, _ := strconv.Atoi(os.Getenv("SHAP_ROWS"))
	reps := 5
	if n == 0 {
		n = 2000
	} else {
		reps = 1
	}
	for rep := 0; rep < reps; rep++ {
		c0, w0 := threadCPU(), time.Now()
		for i := range n {
			x.Explain(phi, X.Row(i%X.Rows))
		}
		t.Logf("cpu %v/row wall %v/row", (threadCPU()-c0)/time.Duration(n), time.Since(w0)/time.Duration(n))
	}
}
