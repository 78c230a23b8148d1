package quiz

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// first returns the first row q finds: notFound when there is none, any
// other failure wrapped with what was looked for.
func first[T any](q *gorm.DB, notFound *Error, what string) (T, error) {
	var row T
	err := q.First(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return row, notFound
	case err != nil:
		return row, fmt.Errorf("find %s: %w", what, err)
	}
	return row, nil
}
