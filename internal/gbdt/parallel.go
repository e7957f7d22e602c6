package gbdt

import (
	"runtime"
	"sync/atomic"
)

// forEach calls fn(i) once for every i in [0, n), spread over up to threads
// goroutines (the caller's included). Items are handed out one at a time,
// so uneven items still balance; fn must not depend on which goroutine runs
// it or in what order.
//
// forEach returns as soon as every item is done. It does not wait for
// helper goroutines that found nothing left to do: on a busy machine a
// helper may get its first time slice only after the caller has done all
// the work, and it then just exits.
func forEach(threads, n int, fn func(i int)) {
	if n <= 0 {
		return
	}
	if threads <= 1 || n == 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next, done atomic.Int64
	finished := make(chan struct{})
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(i)
			if done.Add(1) == int64(n) {
				close(finished)
			}
		}
	}
	for range min(threads, n) - 1 {
		go work()
	}
	work()
	<-finished
}

// threadCount resolves a Threads setting: 0 means every core.
func threadCount(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// blockSize is the fixed number of rows per partial sum in reductions over
// rows. Partial sums are added in block order, so a total does not depend on
// the number of threads.
const blockSize = 4096

// sumBlocks returns Σ_b part(b) over the ceil(n/blockSize) blocks of [0, n),
// computing the parts in parallel and adding them in block order.
func sumBlocks(threads, n int, part func(lo, hi int) float64) float64 {
	return reduceBlocks(threads, n, part, func(a, b float64) float64 { return a + b })
}

// reduceBlocks computes part over the ceil(n/blockSize) blocks of [0, n) in
// parallel and combines the results with add in block order, so the result
// does not depend on the number of threads.
func reduceBlocks[T any](threads, n int, part func(lo, hi int) T, add func(a, b T) T) T {
	nb := (n + blockSize - 1) / blockSize
	parts := make([]T, nb)
	forEach(threads, nb, func(b int) {
		parts[b] = part(b*blockSize, min((b+1)*blockSize, n))
	})
	var s T
	for _, p := range parts {
		s = add(s, p)
	}
	return s
}
