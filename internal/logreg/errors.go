package logreg

import "errors"

// ErrNotConverged reports that the optimiser stopped at Config.MaxIter
// before meeting Config.Tol. Fit returns the model reached so far with it.
// Bad data is reported with package learn's errors, bad parameters with a
// *learn.ConfigError.
var ErrNotConverged = errors.New("logreg: optimiser did not converge")
