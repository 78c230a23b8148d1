package quiz

import "time"

// The schema as the first release created it. These structs are frozen:
// migrations build on them, so changing one would give new databases a
// schema that upgraded ones never get. Change the models in model.go and
// add a migration step instead.

type roundV1 struct {
	ID         uint64  `gorm:"primaryKey"`
	Platform   string  `gorm:"size:16;not null;index:idx_rounds_channel,priority:1"`
	Team       string  `gorm:"size:64;not null;index:idx_rounds_channel,priority:2"`
	Channel    string  `gorm:"size:64;not null;index:idx_rounds_channel,priority:3"`
	QuestionID string  `gorm:"size:128;not null"`
	State      string  `gorm:"size:16;not null;index:idx_rounds_state_closes,priority:1"`
	OpenedBy   string  `gorm:"size:64"`
	OpenKey    *string `gorm:"size:200;uniqueIndex:idx_rounds_open_key"`
	ScheduleID *uint64 `gorm:"uniqueIndex:idx_rounds_schedule_date,priority:1"`
	LocalDate  *string `gorm:"size:10;uniqueIndex:idx_rounds_schedule_date,priority:2"`
	CreatedAt  time.Time
	ClosesAt   time.Time `gorm:"not null;index:idx_rounds_state_closes,priority:2"`
	ClaimedAt  *time.Time
	RevealedAt *time.Time
	MessageRef string `gorm:"size:128"`
	Attempts   int
	LastError  string `gorm:"size:500"`
}

func (roundV1) TableName() string { return "rounds" }

type answerV1 struct {
	ID         uint64 `gorm:"primaryKey"`
	RoundID    uint64 `gorm:"not null;uniqueIndex:idx_answers_round_user,priority:1"`
	UserID     string `gorm:"size:64;not null;uniqueIndex:idx_answers_round_user,priority:2"`
	Platform   string `gorm:"size:16;not null;index:idx_answers_team_time,priority:1"`
	Team       string `gorm:"size:64;not null;index:idx_answers_team_time,priority:2"`
	Channel    string `gorm:"size:64;not null"`
	UserName   string `gorm:"size:100"`
	Option     string `gorm:"size:1;not null"`
	Correct    bool
	Points     int
	AnsweredAt time.Time `gorm:"not null;index:idx_answers_team_time,priority:3"`
}

func (answerV1) TableName() string { return "answers" }

type attemptV1 struct {
	ID         uint64    `gorm:"primaryKey"`
	Platform   string    `gorm:"size:16;not null;index:idx_attempts_user,priority:1"`
	Team       string    `gorm:"size:64;not null;index:idx_attempts_user,priority:2"`
	UserID     string    `gorm:"size:64;not null;index:idx_attempts_user,priority:3"`
	QuestionID string    `gorm:"size:128;not null"`
	Category   string    `gorm:"size:32"`
	Mode       string    `gorm:"size:8;not null"`
	Option     string    `gorm:"size:1;not null"`
	Correct    bool      `gorm:"not null"`
	At         time.Time `gorm:"not null;index:idx_attempts_user,priority:4"`
}

func (attemptV1) TableName() string { return "attempts" }

type redoItemV1 struct {
	ID         uint64    `gorm:"primaryKey"`
	Platform   string    `gorm:"size:16;not null;uniqueIndex:idx_redo_items_user_question,priority:1"`
	Team       string    `gorm:"size:64;not null;uniqueIndex:idx_redo_items_user_question,priority:2"`
	UserID     string    `gorm:"size:64;not null;uniqueIndex:idx_redo_items_user_question,priority:3"`
	QuestionID string    `gorm:"size:128;not null;uniqueIndex:idx_redo_items_user_question,priority:4"`
	Box        int       `gorm:"not null"`
	DueAt      time.Time `gorm:"not null;index:idx_redo_items_due_at"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (redoItemV1) TableName() string { return "redo_items" }

type drillV1 struct {
	ID         uint64 `gorm:"primaryKey"`
	Platform   string `gorm:"size:16;not null;index:idx_drills_user,priority:1"`
	Team       string `gorm:"size:64;not null;index:idx_drills_user,priority:2"`
	UserID     string `gorm:"size:64;not null;index:idx_drills_user,priority:3"`
	Category   string `gorm:"size:32"`
	Count      int    `gorm:"not null"`
	Asked      int    `gorm:"not null"`
	Correct    int    `gorm:"not null"`
	Difficulty int    `gorm:"not null"`
	State      string `gorm:"size:16;not null"`
	CreatedAt  time.Time
	FinishedAt *time.Time
}

func (drillV1) TableName() string { return "drills" }

type drillItemV1 struct {
	ID         uint64 `gorm:"primaryKey"`
	DrillID    uint64 `gorm:"not null;uniqueIndex:idx_drill_items_seq,priority:1"`
	Seq        int    `gorm:"not null;uniqueIndex:idx_drill_items_seq,priority:2"`
	QuestionID string `gorm:"size:128;not null"`
	Option     string `gorm:"size:1;not null;default:''"`
	Correct    bool
	AskedAt    time.Time
	AnsweredAt *time.Time
}

func (drillItemV1) TableName() string { return "drill_items" }

type scheduleV1 struct {
	ID              uint64 `gorm:"primaryKey"`
	Platform        string `gorm:"size:16;not null;uniqueIndex:idx_schedules_channel,priority:1"`
	Team            string `gorm:"size:64;not null;uniqueIndex:idx_schedules_channel,priority:2"`
	Channel         string `gorm:"size:64;not null;uniqueIndex:idx_schedules_channel,priority:3"`
	Hour            int    `gorm:"not null"`
	Minute          int    `gorm:"not null"`
	TimeZone        string `gorm:"size:64;not null"`
	DaysMask        int    `gorm:"not null"`
	DeadlineSeconds int64  `gorm:"not null"`
	CreatedBy       string `gorm:"size:64"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (scheduleV1) TableName() string { return "schedules" }
