package quiz

import (
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations lists the schema changes in order. IDs are never renamed, and a
// step never changes once released: each step owns the schema it creates
// (frozen structs in schema_v1.go, or SQL), never today's models, so a
// database created today and one upgraded step by step end up the same
// (TestMigrations_FreshEqualsUpgraded).
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202611240001_init",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&roundV1{}, &answerV1{}, &attemptV1{}, &redoItemV1{}, &drillV1{}, &drillItemV1{})
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable("drill_items", "drills", "redo_items", "attempts", "answers", "rounds")
			},
		},
		{
			ID:       "202611240002_schedules",
			Migrate:  func(tx *gorm.DB) error { return tx.AutoMigrate(&scheduleV1{}) },
			Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("schedules") },
		},
		{
			// Shuffled options: the order a round or drill card showed.
			// Existing rows keep '' (the file's order), which they used.
			ID: "202612010001_option_order",
			Migrate: func(tx *gorm.DB) error {
				return addColumns(tx, column{"rounds", "option_order", "varchar(5) NOT NULL DEFAULT ''", ""},
					column{"drill_items", "option_order", "varchar(5) NOT NULL DEFAULT ''", ""})
			},
			Rollback: func(tx *gorm.DB) error {
				return dropColumns(tx, column{table: "rounds", name: "option_order"}, column{table: "drill_items", name: "option_order"})
			},
		},
		{
			// A count refresh holds the round's message until refresh_until.
			ID: "202612010002_refresh_claim",
			Migrate: func(tx *gorm.DB) error {
				return addColumns(tx, column{"rounds", "refresh_until", "datetime", "timestamptz"})
			},
			Rollback: func(tx *gorm.DB) error {
				return dropColumns(tx, column{table: "rounds", name: "refresh_until"})
			},
		},
		{
			// Platform redeliveries are recognised by their request id.
			ID:       "202612010003_deliveries",
			Migrate:  func(tx *gorm.DB) error { return tx.AutoMigrate(&deliveryV2{}) },
			Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("deliveries") },
		},
		{
			// Fair points: a person scores a question once per team. Answers
			// name their question; first_answers holds who answered what.
			ID: "202612010004_first_answers",
			Migrate: func(tx *gorm.DB) error {
				err := addColumns(tx,
					column{"answers", "question_id", "varchar(128) NOT NULL DEFAULT ''", ""},
					column{"answers", "practice", "boolean NOT NULL DEFAULT false", ""},
					column{"answers", "received_at", "datetime", "timestamptz"})
				if err != nil {
					return err
				}
				if err := tx.Exec(`UPDATE answers SET question_id = (SELECT question_id FROM rounds WHERE rounds.id = answers.round_id)
					WHERE question_id = ''`).Error; err != nil {
					return fmt.Errorf("backfill answers.question_id: %w", err)
				}
				if err := tx.AutoMigrate(&firstAnswerV3{}); err != nil {
					return err
				}
				// Each person's earliest answer to a question is the one that scored.
				return tx.Exec(`INSERT INTO first_answers (platform, team, user_id, question_id, round_id)
					SELECT platform, team, user_id, question_id, MIN(round_id) FROM answers
					GROUP BY platform, team, user_id, question_id
					ON CONFLICT DO NOTHING`).Error
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Migrator().DropTable("first_answers"); err != nil {
					return err
				}
				return dropColumns(tx, column{table: "answers", name: "question_id"}, column{table: "answers", name: "practice"},
					column{table: "answers", name: "received_at"})
			},
		},
		{
			// Leaderboards kept up to date at reveal time (see scores.go).
			ID:       "202612010005_scores",
			Migrate:  func(tx *gorm.DB) error { return tx.AutoMigrate(&scoreV4{}, &settingV4{}) },
			Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("scores", "settings") },
		},
		{
			// Daily streaks per person per channel schedule (streaks.go).
			ID:       "202612010006_streaks",
			Migrate:  func(tx *gorm.DB) error { return tx.AutoMigrate(&streakV5{}) },
			Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("streaks") },
		},
		{
			// Reports of problems with questions (report.go).
			ID:       "202612010007_reports",
			Migrate:  func(tx *gorm.DB) error { return tx.AutoMigrate(&reportV6{}) },
			Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("reports") },
		},
		{
			// Item statistics: answer times and per-question totals (items.go).
			ID: "202612010008_item_stats",
			Migrate: func(tx *gorm.DB) error {
				if err := addColumns(tx, column{"answers", "answer_ms", "bigint NOT NULL DEFAULT 0", ""}); err != nil {
					return err
				}
				if err := tx.Exec("CREATE INDEX IF NOT EXISTS idx_answers_item ON answers (platform, team, question_id, answer_ms)").Error; err != nil {
					return err
				}
				// The weekly summary reads a channel's answers in a window.
				if err := tx.Exec("CREATE INDEX IF NOT EXISTS idx_answers_channel_time ON answers (platform, team, channel, answered_at)").Error; err != nil {
					return err
				}
				if err := tx.AutoMigrate(&itemTotalV7{}); err != nil {
					return err
				}
				// Totals for the rounds revealed before this step.
				return tx.Exec(`INSERT INTO item_totals (platform, team, question_id, asked, answers, correct, pick_a, pick_b, pick_c, pick_d, pick_e)
					SELECT r.platform, r.team, r.question_id, COUNT(DISTINCT r.id), COUNT(a.id),
						SUM(CASE WHEN a.correct THEN 1 ELSE 0 END),
						SUM(CASE WHEN a.option = 'A' THEN 1 ELSE 0 END), SUM(CASE WHEN a.option = 'B' THEN 1 ELSE 0 END),
						SUM(CASE WHEN a.option = 'C' THEN 1 ELSE 0 END), SUM(CASE WHEN a.option = 'D' THEN 1 ELSE 0 END),
						SUM(CASE WHEN a.option = 'E' THEN 1 ELSE 0 END)
					FROM rounds r LEFT JOIN answers a ON a.round_id = r.id
					WHERE r.state = 'revealed' GROUP BY r.platform, r.team, r.question_id`).Error
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Migrator().DropTable("item_totals"); err != nil {
					return err
				}
				if err := tx.Exec("DROP INDEX IF EXISTS idx_answers_item").Error; err != nil {
					return err
				}
				if err := tx.Exec("DROP INDEX IF EXISTS idx_answers_channel_time").Error; err != nil {
					return err
				}
				return dropColumns(tx, column{table: "answers", name: "answer_ms"})
			},
		},
		{
			// Weekly summaries posted, and redo reminders (summary.go, remind.go).
			ID:       "202612010009_summaries_reminders",
			Migrate:  func(tx *gorm.DB) error { return tx.AutoMigrate(&weeklySummaryV8{}, &reminderV8{}) },
			Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("weekly_summaries", "reminders") },
		},
		{
			// Rounds closed without scoring (/asyncquiz cancel), and the
			// people a team's managers named to manage schedules too.
			ID: "202612010010_cancel_admins",
			Migrate: func(tx *gorm.DB) error {
				if err := addColumns(tx, column{"rounds", "cancelled_by", "varchar(64) NOT NULL DEFAULT ''", ""}); err != nil {
					return err
				}
				return tx.AutoMigrate(&adminV9{})
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Migrator().DropTable("admins"); err != nil {
					return err
				}
				return dropColumns(tx, column{table: "rounds", name: "cancelled_by"})
			},
		},
		{
			// Item statistics without reading answers: histograms of answer
			// times and of the answerers' accuracy per question, and the
			// people per accuracy, kept at reveal time (items.go), filled
			// here from the revealed rounds and the scores.
			// The answers' index for medians goes: nothing reads it now.
			ID: "202612010011_item_histograms",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.AutoMigrate(&itemTimeV10{}, &itemBandV10{}, &accuracyBandV10{}); err != nil {
					return err
				}
				if err := tx.Exec(accuracyBandsBackfillV10).Error; err != nil {
					return fmt.Errorf("backfill accuracy_bands: %w", err)
				}
				if err := tx.Exec(itemTimesBackfillV10).Error; err != nil {
					return fmt.Errorf("backfill item_times: %w", err)
				}
				if err := tx.Exec(itemBandsBackfillV10).Error; err != nil {
					return fmt.Errorf("backfill item_bands: %w", err)
				}
				return tx.Exec("DROP INDEX IF EXISTS idx_answers_item").Error
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Exec("CREATE INDEX IF NOT EXISTS idx_answers_item ON answers (platform, team, question_id, answer_ms)").Error; err != nil {
					return err
				}
				return tx.Migrator().DropTable("accuracy_bands", "item_bands", "item_times")
			},
		},
		{
			// The weekly summary reads a channel's answers in a window from
			// the index alone (summary.go): it covers the person, the
			// question and whether it was right.
			ID: "202612010012_summary_index",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Exec("DROP INDEX IF EXISTS idx_answers_channel_time").Error; err != nil {
					return err
				}
				return tx.Exec("CREATE INDEX idx_answers_channel_time ON answers (platform, team, channel, answered_at, user_id, question_id, correct)").Error
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Exec("DROP INDEX IF EXISTS idx_answers_channel_time").Error; err != nil {
					return err
				}
				return tx.Exec("CREATE INDEX idx_answers_channel_time ON answers (platform, team, channel, answered_at)").Error
			},
		},
	}
}

// itemTimeV10, itemBandV10 and accuracyBandV10 are the tables as step 202612010011 created them.
type itemTimeV10 struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	Sec        int    `gorm:"primaryKey;autoIncrement:false"`
	N          int    `gorm:"not null"`
}

func (itemTimeV10) TableName() string { return "item_times" }

type itemBandV10 struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	Band       int    `gorm:"primaryKey;autoIncrement:false"`
	Answers    int    `gorm:"not null"`
	Correct    int    `gorm:"not null"`
}

func (itemBandV10) TableName() string { return "item_bands" }

type accuracyBandV10 struct {
	Platform string `gorm:"primaryKey;size:16"`
	Team     string `gorm:"primaryKey;size:64"`
	Band     int    `gorm:"primaryKey;autoIncrement:false"`
	People   int    `gorm:"not null"`
}

func (accuracyBandV10) TableName() string { return "accuracy_bands" }

// accuracyBandsBackfillV10 counts the people by accuracy in the scores
// (empty before the scores are first built: ensureScores counts them then).
const accuracyBandsBackfillV10 = `INSERT INTO accuracy_bands (platform, team, band, people)
	SELECT platform, team, correct * 100 / answers, COUNT(*) FROM scores
	WHERE channel = '' AND period = 'all' AND answers >= 3 GROUP BY platform, team, correct * 100 / answers`

// itemTimesBackfillV10 fills item_times from the revealed rounds (not the
// cancelled ones) as their reveals would have (items.go, timeBucket).
const itemTimesBackfillV10 = `INSERT INTO item_times (platform, team, question_id, sec, n)
	SELECT r.platform, r.team, r.question_id,
		CASE WHEN a.answer_ms < 600000 THEN a.answer_ms / 1000 WHEN a.answer_ms < 3600000 THEN a.answer_ms / 60000 * 60
			ELSE a.answer_ms / 3600000 * 3600 END,
		COUNT(*)
	FROM answers a JOIN rounds r ON r.id = a.round_id
	WHERE r.state = 'revealed' AND r.cancelled_by = ''
	GROUP BY r.platform, r.team, r.question_id,
		CASE WHEN a.answer_ms < 600000 THEN a.answer_ms / 1000 WHEN a.answer_ms < 3600000 THEN a.answer_ms / 60000 * 60
			ELSE a.answer_ms / 3600000 * 3600 END`

// itemBandsBackfillV10 fills item_bands from the revealed rounds as their
// reveals would have: each answer under its person's accuracy over their
// answers of the rounds revealed up to its own (in the order they were
// revealed), once they had at least 3 (minRanked).
const itemBandsBackfillV10 = `INSERT INTO item_bands (platform, team, question_id, band, answers, correct)
	SELECT platform, team, question_id, c * 100 / n, COUNT(*), SUM(ok)
	FROM (SELECT r.platform AS platform, r.team AS team, r.question_id AS question_id, CASE WHEN a.correct THEN 1 ELSE 0 END AS ok,
			COUNT(*) OVER w AS n, SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) OVER w AS c
		FROM answers a JOIN rounds r ON r.id = a.round_id
		WHERE r.state = 'revealed' AND r.cancelled_by = ''
		WINDOW w AS (PARTITION BY a.platform, a.team, a.user_id ORDER BY COALESCE(r.revealed_at, r.closes_at), r.id)) ranked
	WHERE n >= 3
	GROUP BY platform, team, question_id, c * 100 / n`

// adminV9 is the admins table as step 202612010010 created it.
type adminV9 struct {
	Platform  string    `gorm:"primaryKey;size:16"`
	Team      string    `gorm:"primaryKey;size:64"`
	UserID    string    `gorm:"primaryKey;size:64"`
	UserName  string    `gorm:"size:100;not null"`
	AddedBy   string    `gorm:"size:64;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (adminV9) TableName() string { return "admins" }

// weeklySummaryV8 and reminderV8 are the tables as step 202612010009 created them.
type weeklySummaryV8 struct {
	ScheduleID uint64    `gorm:"primaryKey"`
	Week       string    `gorm:"primaryKey;size:10"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (weeklySummaryV8) TableName() string { return "weekly_summaries" }

type reminderV8 struct {
	Platform string `gorm:"primaryKey;size:16"`
	Team     string `gorm:"primaryKey;size:64"`
	UserID   string `gorm:"primaryKey;size:64"`
	Off      bool   `gorm:"not null"`
	LastDate string `gorm:"size:10;not null"`
}

func (reminderV8) TableName() string { return "reminders" }

// itemTotalV7 is the item_totals table as step 202612010008 created it.
type itemTotalV7 struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	Asked      int    `gorm:"not null"`
	Answers    int    `gorm:"not null"`
	Correct    int    `gorm:"not null"`
	PickA      int    `gorm:"not null"`
	PickB      int    `gorm:"not null"`
	PickC      int    `gorm:"not null"`
	PickD      int    `gorm:"not null"`
	PickE      int    `gorm:"not null"`
}

func (itemTotalV7) TableName() string { return "item_totals" }

// reportV6 is the reports table as step 202612010007 created it.
type reportV6 struct {
	ID         uint64    `gorm:"primaryKey"`
	Platform   string    `gorm:"size:16;not null;uniqueIndex:idx_reports_user_question,priority:1"`
	Team       string    `gorm:"size:64;not null;uniqueIndex:idx_reports_user_question,priority:2"`
	UserID     string    `gorm:"size:64;not null;uniqueIndex:idx_reports_user_question,priority:3"`
	QuestionID string    `gorm:"size:128;not null;uniqueIndex:idx_reports_user_question,priority:4;index:idx_reports_question"`
	Reason     string    `gorm:"size:500;not null"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
	ResolvedAt *time.Time
}

func (reportV6) TableName() string { return "reports" }

// streakV5 is the streaks table as step 202612010006 created it.
type streakV5 struct {
	ScheduleID    uint64 `gorm:"primaryKey"`
	UserID        string `gorm:"primaryKey;size:64;index:idx_streaks_user,priority:3"`
	Platform      string `gorm:"size:16;not null;index:idx_streaks_user,priority:1"`
	Team          string `gorm:"size:64;not null;index:idx_streaks_user,priority:2"`
	Channel       string `gorm:"size:64;not null"`
	AnsweredRun   int    `gorm:"not null"`
	BestAnswered  int    `gorm:"not null"`
	RightRun      int    `gorm:"not null"`
	BestRight     int    `gorm:"not null"`
	LastDate      string `gorm:"size:10;not null"`
	GraceAnswered string `gorm:"size:10;not null"`
	GraceRight    string `gorm:"size:10;not null"`
}

func (streakV5) TableName() string { return "streaks" }

// scoreV4 and settingV4 are the tables as step 202612010005 created them.
type scoreV4 struct {
	Platform  string    `gorm:"primaryKey;size:16;index:idx_scores_rank,priority:1"`
	Team      string    `gorm:"primaryKey;size:64;index:idx_scores_rank,priority:2"`
	Channel   string    `gorm:"primaryKey;size:64;index:idx_scores_rank,priority:3"`
	Period    string    `gorm:"primaryKey;size:16;index:idx_scores_rank,priority:4"`
	UserID    string    `gorm:"primaryKey;size:64;index:idx_scores_rank,priority:8"`
	UserName  string    `gorm:"size:100"`
	Points    int       `gorm:"not null;index:idx_scores_rank,priority:5,sort:desc"`
	Correct   int       `gorm:"not null;index:idx_scores_rank,priority:6,sort:desc"`
	Answers   int       `gorm:"not null"`
	ReachedAt time.Time `gorm:"not null;index:idx_scores_rank,priority:7"`
}

func (scoreV4) TableName() string { return "scores" }

type settingV4 struct {
	Name  string `gorm:"primaryKey;size:64"`
	Value string `gorm:"size:200;not null"`
}

func (settingV4) TableName() string { return "settings" }

// firstAnswerV3 is first_answers as step 202612010004 created it.
type firstAnswerV3 struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	UserID     string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	RoundID    uint64 `gorm:"not null"`
}

func (firstAnswerV3) TableName() string { return "first_answers" }

// deliveryV2 is the deliveries table as step 202612010003 created it.
type deliveryV2 struct {
	Platform  string    `gorm:"primaryKey;size:16"`
	ID        string    `gorm:"primaryKey;size:128"`
	CreatedAt time.Time `gorm:"not null;index:idx_deliveries_created_at"`
}

func (deliveryV2) TableName() string { return "deliveries" }

// column is a column a migration adds, with its type on SQLite and on
// PostgreSQL ("" for the same).
type column struct{ table, name, sqlite, postgres string }

func addColumns(tx *gorm.DB, cols ...column) error {
	for _, c := range cols {
		typ := c.sqlite
		if tx.Dialector.Name() == "postgres" && c.postgres != "" {
			typ = c.postgres
		}
		// A database made by a development build may have it already.
		if tx.Migrator().HasColumn(c.table, c.name) {
			continue
		}
		if err := tx.Exec(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", c.table, c.name, typ)).Error; err != nil {
			return fmt.Errorf("add %s.%s: %w", c.table, c.name, err)
		}
	}
	return nil
}

func dropColumns(tx *gorm.DB, cols ...column) error {
	for _, c := range cols {
		if err := tx.Exec(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", c.table, c.name)).Error; err != nil {
			return fmt.Errorf("drop %s.%s: %w", c.table, c.name, err)
		}
	}
	return nil
}
