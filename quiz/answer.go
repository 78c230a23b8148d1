package quiz

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"gorm.io/gorm"
)

// AnswerGrace is how long after a round's deadline a click that reached
// the server before it may still be committed (it waited in the write
// queue); the reveal claims a round only once the grace is over. It is the
// default of WithAnswerGrace.
const AnswerGrace = time.Second

// Limits on what a click may carry, matching the columns.
const (
	MaxUserID   = 64
	MaxUserName = 100
	MaxChannel  = 64
)

// AnswerInput is one click on a round's option.
type AnswerInput struct {
	Tenant
	// Channel is where the click came from, and MessageRef the message
	// clicked when the platform says (Discord, Slack): a click counts only
	// on the round's own message in the round's own channel.
	Channel    string
	MessageRef string
	RoundID    uint64
	UserID     string
	UserName   string
	Option     string // the letter as shown (the round's order maps it to the file's)
	// ReceivedAt is when the click reached the server (zero: now). A click
	// received before the deadline counts even if it commits just after.
	ReceivedAt time.Time
	// Delivery is the platform's request id, when it has one: a
	// redelivery of a click already handled does nothing (Duplicate).
	Delivery string
}

// AnswerResult reports the answer that stands for the person.
type AnswerResult struct {
	Round  Round
	Option string // the first answer, which is the one that counts (file letter)
	Shown  string // Option as the round shows it
	// Recorded is true when this call stored the answer, false when an
	// earlier answer already stood (a retry, a double or a changed click).
	Recorded bool
	// Practice is true when the person had answered this question before
	// in this team (another round, another channel): it does not score.
	Practice bool
	Correct  bool
	// Duplicate: the platform redelivered a click already handled (same
	// Delivery); nothing was done and the person was answered already.
	Duplicate bool
}

// Answer records a person's answer to a round. The first answer per person
// wins; later ones change nothing and report the first. Answers go through
// a bounded queue to one writer that commits many per transaction; Answer
// returns only once the answer is committed (or definitely not). Errors:
// ENotFound for a round of another tenant, channel or message, or none;
// EClosed after the deadline; EInvalid for a letter that is not an option
// or a bad user; EUnavailable when the queue is full (nothing was written).
func (s *Store) Answer(ctx context.Context, in AnswerInput) (AnswerResult, error) {
	if err := cleanAnswer(&in); err != nil {
		return AnswerResult{}, err
	}
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.Now()
	}
	return s.answers.submit(ctx, in)
}

// cleanAnswer checks and bounds what a platform sent about the person.
func cleanAnswer(in *AnswerInput) error {
	switch {
	case in.UserID == "" || len(in.UserID) > MaxUserID || !printable(in.UserID):
		return Errorf(EInvalid, "That click carries no valid user.")
	case in.Channel == "" || len(in.Channel) > MaxChannel || !printable(in.Channel) || in.RoundID > math.MaxInt64:
		// Ids are signed 64-bit in the databases; a bigger one names nothing.
		return Errorf(ENotFound, "This round is not known here.")
	}
	in.UserName = CleanName(in.UserName, MaxUserName)
	return nil
}

// recordAttempt stores an attempt for stats and, when it is wrong, puts the
// question into the person's redo queue (or back to its first box).
func (s *Store) recordAttempt(tx *gorm.DB, t Tenant, user string, q *questions.Question, mode, letter string, now time.Time) error {
	at := Attempt{
		Platform: t.Platform, Team: t.Team, UserID: user, QuestionID: q.ID, Category: q.Category,
		Mode: mode, Option: letter, Correct: q.IsCorrect(letter), At: now,
	}
	if err := tx.Create(&at).Error; err != nil {
		return fmt.Errorf("insert attempt: %w", err)
	}
	if at.Correct {
		return nil
	}
	return scheduleRedo(tx, t, user, q.ID, now)
}

func letterRange(q *questions.Question) string {
	return "A-" + questions.Letter(len(q.Options)-1)
}
