// Package progress shows how a long step goes. On a terminal a Reporter
// redraws one line in place, at most a few times a second, with what is
// done out of the total, the rate and the time left; anywhere else it
// logs a plain line every so often, so that a container's log shows the
// step moving without being flooded.
//
// A Reporter is told what is done (Add) and, when the total is known
// (Reset) or the share done can be judged (SetFraction), shows the
// percentage and the time left too. It holds no global state: each step
// makes its own, with the writer, logger and clock it is given.
package progress
