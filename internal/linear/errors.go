package linear

import "errors"

// ErrInvalidModel reports a model that fails Validate.
var ErrInvalidModel = errors.New("linear: invalid model")
