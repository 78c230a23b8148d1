package quiz_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
	"gorm.io/gorm"
)

// schemaOf describes every table: its columns (name, type, nullability) and
// its indexes (name, columns, uniqueness), sorted so two schemas compare as
// text.
func schemaOf(t *testing.T, db *gorm.DB) string {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(tables)
	var lines []string
	for _, table := range tables {
		cols, err := db.Migrator().ColumnTypes(table)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			null, _ := c.Nullable()
			lines = append(lines, fmt.Sprintf("%s.%s %s null=%v", table, c.Name(), strings.ToLower(c.DatabaseTypeName()), null))
		}
		idx, err := db.Migrator().GetIndexes(table)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range idx {
			unique, _ := i.Unique()
			lines = append(lines, fmt.Sprintf("%s index %s %v unique=%v", table, i.Name(), i.Columns(), unique))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// A database created today and one that went through every release's
// schema, with rows in it, end up with the same schema, and the old rows
// still work.
func TestMigrations_FreshEqualsUpgraded(t *testing.T) {
	ids := quiz.MigrationIDs()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := func() string {
				if engine == "sqlite" {
					return filepath.Join(t.TempDir(), "q.db")
				}
				return quiztest.PostgresURL(t)
			}
			ctx := context.Background()
			freshDSN := dsn()
			fresh, err := quiz.Open(ctx, freshDSN, nil)
			if err != nil {
				t.Fatal(err)
			}
			fresh.Close()
			want := schemaOf(t, quiztest.Inspect(t, freshDSN))

			for k := 1; k < len(ids); k++ {
				t.Run("from "+ids[k-1], func(t *testing.T) {
					oldDSN := dsn()
					if err := quiz.MigrateTo(ctx, oldDSN, ids[k-1]); err != nil {
						t.Fatal(err)
					}
					old := quiztest.Inspect(t, oldDSN)
					// A round and an answer as the first release wrote them.
					if err := old.Exec(`INSERT INTO rounds (platform, team, channel, question_id, state, created_at, closes_at, attempts, message_ref)
						VALUES ('slack', 'T1', 'C1', 'core-easy-1', 'revealed', '2026-11-20 10:00:00+00:00', '2026-11-20 10:10:00+00:00', 1, 'ts1')`).Error; err != nil {
						t.Fatal(err)
					}
					if err := old.Exec(`INSERT INTO answers (round_id, user_id, platform, team, channel, user_name, option, correct, points, answered_at)
						VALUES (1, 'U1', 'slack', 'T1', 'C1', 'ada', 'B', true, 1, '2026-11-20 10:01:00+00:00')`).Error; err != nil {
						t.Fatal(err)
					}
					s, err := quiz.Open(ctx, oldDSN, quiztest.ShuffledBank())
					if err != nil {
						t.Fatal(err)
					}
					defer s.Close()
					if got := schemaOf(t, old); got != want {
						t.Fatalf("upgraded schema differs from a fresh one:\n--- upgraded\n%s\n--- fresh\n%s", got, want)
					}
					r, err := s.Round(ctx, quiz.Tenant{Platform: "slack", Team: "T1"}, 1)
					if err != nil {
						t.Fatal(err)
					}
					q, _ := s.Question(r.QuestionID)
					if r.OptionOrder != "" || r.Order(q).String() != "" {
						t.Fatalf("an old round shows order %q, want the file's", r.OptionOrder)
					}
					res, err := s.Result(ctx, r)
					if err != nil || res.Counts[1] != 1 {
						t.Fatalf("old round's result %+v, %v; want its answer counted on B", res.Counts, err)
					}
				})
			}
		})
	}
}

// namesOf is schemaOf without types: the columns and indexes by name.
func namesOf(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(schemaOf(t, db), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[1] == "index" {
			out = append(out, strings.Join(f[:3], " "))
		} else {
			out = append(out, f[0])
		}
	}
	return strings.Join(out, "\n")
}

// The models and the migrations agree: a database the models would create
// has the same columns and indexes as the migrated one. A field added to a
// model without a migration step fails here.
func TestMigrations_MatchModels(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		var scratch string
		if quiz.IsPostgres(db.DSN) {
			scratch = quiztest.PostgresURL(t)
		} else {
			scratch = filepath.Join(t.TempDir(), "models.db")
		}
		models := quiztest.Inspect(t, scratch)
		if err := models.AutoMigrate(&quiz.Round{}, &quiz.Answer{}, &quiz.Attempt{}, &quiz.RedoItem{}, &quiz.Drill{}, &quiz.DrillItem{}, &quiz.Schedule{}, &quiz.Delivery{}, &quiz.FirstAnswer{}, &quiz.Score{}, &quiz.Setting{}, &quiz.Streak{}, &quiz.Report{}, &quiz.ItemTotal{}, &quiz.ItemTime{}, &quiz.ItemBand{}, &quiz.AccuracyBand{}, &quiz.WeeklySummary{}, &quiz.Reminder{}, &quiz.Admin{}); err != nil {
			t.Fatal(err)
		}
		migrated := namesOf(t, db.DB)
		var kept []string
		for _, l := range strings.Split(migrated, "\n") {
			if !strings.HasPrefix(l, "schema_migrations") {
				kept = append(kept, l)
			}
		}
		if got, want := namesOf(t, models), strings.Join(kept, "\n"); got != want {
			t.Fatalf("models and migrations disagree:\n--- models\n%s\n--- migrations\n%s", got, want)
		}
	})
}
