package quiz

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Forgotten counts the rows Forget deleted or cleared, by table.
type Forgotten map[string]int64

// Total is the number of rows deleted or cleared.
func (f Forgotten) Total() int64 {
	var n int64
	for _, v := range f {
		n += v
	}
	return n
}

// Forget deletes what the store keeps about one person in a team: their
// answers, attempts, first answers, scores, streaks, redo queue, drills,
// reports, reminder setting and admin naming; rounds and schedules they
// started keep running but no longer name them. Per-question totals and
// histograms (item_totals, item_times, item_bands) hold no person and stay;
// the person leaves the count of people by accuracy (accuracy_bands). Messages already posted in the
// chat are the platform's and cannot be changed from here. An empty
// platform forgets the person on every platform with that team id.
func (s *Store) Forget(ctx context.Context, platform, team, user string) (Forgotten, error) {
	if team == "" || user == "" {
		return nil, Errorf(EInvalid, "Forget needs a team and a user id.")
	}
	out := Forgotten{}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		where, args := "team = ? AND user_id = ?", []any{team, user}
		if platform != "" {
			where, args = where+" AND platform = ?", append(args, platform)
		}
		exec := func(what, sql string) error {
			res := tx.Exec(sql, args...)
			if res.Error != nil {
				return fmt.Errorf("forget %s: %w", what, res.Error)
			}
			out[what] = res.RowsAffected
			return nil
		}
		// Their accuracy leaves the tenant's distribution with their scores.
		if err := forgetAccuracy(tx, platform, team, user); err != nil {
			return err
		}
		// Drill items go with their drills, so first.
		if err := exec("drill_items", "DELETE FROM drill_items WHERE drill_id IN (SELECT id FROM drills WHERE "+where+")"); err != nil {
			return err
		}
		for _, table := range []string{"drills", "answers", "attempts", "first_answers", "scores", "streaks", "redo_items", "reports", "reminders", "admins"} {
			if err := exec(table, "DELETE FROM "+table+" WHERE "+where); err != nil {
				return err
			}
		}
		// Who started a round or a schedule: the row stays, unnamed.
		for _, c := range []struct{ table, column string }{{"rounds", "opened_by"}, {"schedules", "created_by"}} {
			w := strings.Replace(where, "user_id", c.column, 1)
			if err := exec(c.table, "UPDATE "+c.table+" SET "+c.column+" = '' WHERE "+w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("Person forgotten", "platform", platform, "team", team, "rows", out.Total())
	return out, nil
}
