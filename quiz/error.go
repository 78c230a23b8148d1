package quiz

import (
	"errors"
	"fmt"
)

// Error codes. A coded error's Message is safe to show to the person who
// caused it; any other error is internal.
const (
	EInvalid     Code = "invalid"     // bad input; nothing was written
	ENotFound    Code = "not_found"   // no such round, question, drill...
	EConflict    Code = "conflict"    // the state forbids it (a round is already open)
	EClosed      Code = "closed"      // the round has passed its deadline
	EForbidden   Code = "forbidden"   // the caller lacks the right
	EUnavailable Code = "unavailable" // a platform or the database could not do it now; try again
	EInternal    Code = "internal"
)

// Code classifies an error for the person who caused it.
type Code string

// Error is an error with a code and a user-safe message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is matches another *Error with the same code and, when the target has one,
// the same message, so errors.Is(err, ErrNotFound) works for any not-found.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// ErrNotFound matches every not-found error.
var ErrNotFound = &Error{Code: ENotFound}

// Errorf returns a coded error with a formatted user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for uncoded errors and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err; uncoded errors give a
// generic apology so internals never reach users.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Sorry, something went wrong on our side. Please try again in a minute."
}
