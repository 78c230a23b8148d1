package quiz

import (
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
)

// Round states.
const (
	StatePosting   = "posting"   // opened, its message not yet posted (retried)
	StateOpen      = "open"      // accepting answers until ClosesAt
	StateRevealing = "revealing" // claimed by one replica for its reveal
	StateRevealed  = "revealed"
	StateFailed    = "failed" // could not be posted or revealed; LastError says why
)

// Round is one question posted in a channel, open until ClosesAt.
type Round struct {
	ID         uint64 `gorm:"primaryKey"`
	Platform   string `gorm:"size:16;not null;index:idx_rounds_channel,priority:1"`
	Team       string `gorm:"size:64;not null;index:idx_rounds_channel,priority:2"`
	Channel    string `gorm:"size:64;not null;index:idx_rounds_channel,priority:3"`
	QuestionID string `gorm:"size:128;not null"`
	State      string `gorm:"size:16;not null;index:idx_rounds_state_closes,priority:1"`
	OpenedBy   string `gorm:"size:64"`
	// OpenKey is platform/team/channel while the round is open and NULL after:
	// its unique index lets the database keep one open round per channel.
	OpenKey *string `gorm:"size:200;uniqueIndex:idx_rounds_open_key"`
	// ScheduleID and LocalDate identify a daily round: one per schedule and
	// local date, whichever replica fires first.
	ScheduleID *uint64 `gorm:"uniqueIndex:idx_rounds_schedule_date,priority:1"`
	LocalDate  *string `gorm:"size:10;uniqueIndex:idx_rounds_schedule_date,priority:2"`
	CreatedAt  time.Time
	ClosesAt   time.Time `gorm:"not null;index:idx_rounds_state_closes,priority:2"`
	ClaimedAt  *time.Time
	RevealedAt *time.Time
	MessageRef string `gorm:"size:128"`
	Attempts   int
	LastError  string `gorm:"size:500"`
	// OptionOrder is the order its options are shown in, as file letters
	// ("CADB"; see questions.Order). "" is the file's order, which every
	// round opened before shuffling used.
	OptionOrder string `gorm:"size:5;not null;default:''"`
	// RefreshUntil is set while a count refresh holds the round's message
	// (ClaimRefresh); the reveal waits for it.
	RefreshUntil *time.Time
	// CancelledBy names who cancelled the round (/asyncquiz cancel), as
	// shown: its reveal says so, shows no answer and scores nothing.
	CancelledBy string `gorm:"size:64;not null;default:''"`
}

// Cancelled reports whether the round was closed without scoring.
func (r Round) Cancelled() bool { return r.CancelledBy != "" }

// Order returns the order in which the round shows q's options.
func (r Round) Order(q *questions.Question) questions.Order {
	return orderOf(r.OptionOrder, q)
}

// orderOf parses a stored order; one that no longer fits the question (its
// options changed since) falls back to the file's order.
func orderOf(s string, q *questions.Question) questions.Order {
	if o, ok := questions.ParseOrder(s, len(q.Options)); ok {
		return o
	}
	return questions.Identity(len(q.Options))
}

// Answer is one person's answer to a round. The unique (round, user) index
// makes the first click win.
type Answer struct {
	ID         uint64 `gorm:"primaryKey"`
	RoundID    uint64 `gorm:"not null;uniqueIndex:idx_answers_round_user,priority:1"`
	UserID     string `gorm:"size:64;not null;uniqueIndex:idx_answers_round_user,priority:2;index:idx_answers_channel_time,priority:5"`
	Platform   string `gorm:"size:16;not null;index:idx_answers_team_time,priority:1;index:idx_answers_channel_time,priority:1"`
	Team       string `gorm:"size:64;not null;index:idx_answers_team_time,priority:2;index:idx_answers_channel_time,priority:2"`
	Channel    string `gorm:"size:64;not null;index:idx_answers_channel_time,priority:3"`
	UserName   string `gorm:"size:100"`
	Option     string `gorm:"size:1;not null"` // canonical: the file's letter, whatever was shown
	Correct    bool   `gorm:"index:idx_answers_channel_time,priority:7"`
	Points     int
	AnsweredAt time.Time `gorm:"not null;index:idx_answers_team_time,priority:3;index:idx_answers_channel_time,priority:4"`
	QuestionID string    `gorm:"size:128;not null;default:'';index:idx_answers_channel_time,priority:6"`
	// Practice: the person had answered this question before in this team
	// (another round or channel), so it scores nothing.
	Practice   bool `gorm:"not null;default:false"`
	ReceivedAt *time.Time
	// AnswerMS is how long after the round opened the person answered.
	AnswerMS int64 `gorm:"column:answer_ms;not null;default:0"`
}

// FirstAnswer records that a person has answered a question in a team: its
// primary key makes only the first answer, in any channel, score.
type FirstAnswer struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	UserID     string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	RoundID    uint64 `gorm:"not null"`
}

// Attempt records every answer in every mode (round, drill, redo) for stats.
type Attempt struct {
	ID         uint64    `gorm:"primaryKey"`
	Platform   string    `gorm:"size:16;not null;index:idx_attempts_user,priority:1"`
	Team       string    `gorm:"size:64;not null;index:idx_attempts_user,priority:2"`
	UserID     string    `gorm:"size:64;not null;index:idx_attempts_user,priority:3"`
	QuestionID string    `gorm:"size:128;not null"`
	Category   string    `gorm:"size:32"`
	Mode       string    `gorm:"size:8;not null"` // round, drill, redo
	Option     string    `gorm:"size:1;not null"`
	Correct    bool      `gorm:"not null"`
	At         time.Time `gorm:"not null;index:idx_attempts_user,priority:4"`
}

// RedoItem is a question in one person's redo queue (a Leitner box).
type RedoItem struct {
	ID         uint64    `gorm:"primaryKey"`
	Platform   string    `gorm:"size:16;not null;uniqueIndex:idx_redo_items_user_question,priority:1"`
	Team       string    `gorm:"size:64;not null;uniqueIndex:idx_redo_items_user_question,priority:2"`
	UserID     string    `gorm:"size:64;not null;uniqueIndex:idx_redo_items_user_question,priority:3"`
	QuestionID string    `gorm:"size:128;not null;uniqueIndex:idx_redo_items_user_question,priority:4"`
	Box        int       `gorm:"not null"`
	DueAt      time.Time `gorm:"not null;index"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Drill is one personal practice run.
type Drill struct {
	ID         uint64 `gorm:"primaryKey"`
	Platform   string `gorm:"size:16;not null;index:idx_drills_user,priority:1"`
	Team       string `gorm:"size:64;not null;index:idx_drills_user,priority:2"`
	UserID     string `gorm:"size:64;not null;index:idx_drills_user,priority:3"`
	Category   string `gorm:"size:32"`
	Count      int    `gorm:"not null"`
	Asked      int    `gorm:"not null"`
	Correct    int    `gorm:"not null"`
	Difficulty int    `gorm:"not null"` // target difficulty of the next question
	State      string `gorm:"size:16;not null"`
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// Drill states.
const (
	DrillActive    = "active"
	DrillDone      = "done"
	DrillAbandoned = "abandoned"
)

// DrillItem is one question asked in a drill; Seq is unique per drill so a
// double click cannot add a second next question.
type DrillItem struct {
	ID         uint64 `gorm:"primaryKey"`
	DrillID    uint64 `gorm:"not null;uniqueIndex:idx_drill_items_seq,priority:1"`
	Seq        int    `gorm:"not null;uniqueIndex:idx_drill_items_seq,priority:2"`
	QuestionID string `gorm:"size:128;not null"`
	Option     string `gorm:"size:1;not null;default:''"`
	Correct    bool
	AskedAt    time.Time
	AnsweredAt *time.Time
	// OptionOrder is the order the card showed its options in (Round.OptionOrder).
	OptionOrder string `gorm:"size:5;not null;default:''"`
}

// Delivery is a platform request already handled (Slack's trigger_id,
// Discord's interaction id): its primary key makes a redelivery a no-op.
type Delivery struct {
	Platform  string    `gorm:"primaryKey;size:16"`
	ID        string    `gorm:"primaryKey;size:128"`
	CreatedAt time.Time `gorm:"not null;index:idx_deliveries_created_at"`
}
