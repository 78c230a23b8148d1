package quiz

import (
	"context"
	"fmt"
	"sort"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ItemTotal counts a question's revealed answers in one tenant, kept up to
// date at reveal time: how often it was asked, answered, answered right,
// and how often each option (by the file's letter) was picked.
type ItemTotal struct {
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

// addItemTotals counts a revealed round in its question's totals.
func addItemTotals(tx *gorm.DB, r Round, answers []Answer) error {
	t := ItemTotal{Platform: r.Platform, Team: r.Team, QuestionID: r.QuestionID, Asked: 1, Answers: len(answers)}
	for _, a := range answers {
		if a.Correct {
			t.Correct++
		}
		switch a.Option {
		case "A":
			t.PickA++
		case "B":
			t.PickB++
		case "C":
			t.PickC++
		case "D":
			t.PickD++
		case "E":
			t.PickE++
		}
	}
	set := clause.Set{}
	for _, c := range []string{"asked", "answers", "correct", "pick_a", "pick_b", "pick_c", "pick_d", "pick_e"} {
		set = append(set, clause.Assignment{Column: clause.Column{Name: c}, Value: gorm.Expr("item_totals." + c + " + excluded." + c)})
	}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "team"}, {Name: "question_id"}},
		DoUpdates: set,
	}).Create(&t).Error
	if err != nil {
		return fmt.Errorf("count item totals: %w", err)
	}
	return nil
}

// ItemTime counts a question's revealed answers in one tenant by the time
// they took (from the round's opening), kept up to date at reveal time: the
// histogram medians are read from. Sec is exact below ten minutes, the
// start of its minute below an hour and of its hour beyond (timeBucket), so
// a question has at most 818 rows however long its rounds last. It holds
// no person.
type ItemTime struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	Sec        int    `gorm:"primaryKey;autoIncrement:false"`
	N          int    `gorm:"not null"`
}

// ItemBand counts a question's revealed answers in one tenant by the
// answerer's all-time accuracy in the tenant (percent right, 0 to 100,
// rounded down) once the round was counted, for people with at least
// minRanked answers by then; kept up to date at reveal time. It holds no
// person: discrimination is read from it.
type ItemBand struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	Band       int    `gorm:"primaryKey;autoIncrement:false"`
	Answers    int    `gorm:"not null"`
	Correct    int    `gorm:"not null"`
}

// AccuracyBand counts a tenant's people with at least minRanked answers by
// their all-time accuracy (percent right, rounded down), kept up to date
// with scores (reveals, Forget, a rebuild of the scores): the quarters of
// discrimination are cut from it. It holds no person.
type AccuracyBand struct {
	Platform string `gorm:"primaryKey;size:16"`
	Team     string `gorm:"primaryKey;size:64"`
	Band     int    `gorm:"primaryKey;autoIncrement:false"`
	People   int    `gorm:"not null"`
}

// timeBucket is the SQL for an answer's ItemTime.Sec.
const timeBucket = `CASE WHEN answer_ms < 600000 THEN answer_ms / 1000
	WHEN answer_ms < 3600000 THEN answer_ms / 60000 * 60
	ELSE answer_ms / 3600000 * 3600 END`

// addItemHistograms counts a revealed round's answers in its question's
// time and accuracy histograms. It runs after upsertScores in the reveal's
// transaction, so each answerer's all-time score includes this round.
func addItemHistograms(tx *gorm.DB, r Round) error {
	err := tx.Exec(`INSERT INTO item_times (platform, team, question_id, sec, n)
		SELECT ?, ?, ?, `+timeBucket+`, COUNT(*) FROM answers WHERE round_id = ?
		GROUP BY `+timeBucket+`
		ON CONFLICT (platform, team, question_id, sec) DO UPDATE SET n = item_times.n + excluded.n`,
		r.Platform, r.Team, r.QuestionID, r.ID).Error
	if err != nil {
		return fmt.Errorf("count item times: %w", err)
	}
	err = tx.Exec(`INSERT INTO item_bands (platform, team, question_id, band, answers, correct)
		SELECT ?, ?, ?, s.correct * 100 / s.answers, COUNT(*), SUM(CASE WHEN a.correct THEN 1 ELSE 0 END)
		FROM answers a JOIN scores s ON s.platform = a.platform AND s.team = a.team AND s.channel = '' AND s.period = ? AND s.user_id = a.user_id
		WHERE a.round_id = ? AND s.answers >= ?
		GROUP BY s.correct * 100 / s.answers
		ON CONFLICT (platform, team, question_id, band) DO UPDATE SET answers = item_bands.answers + excluded.answers, correct = item_bands.correct + excluded.correct`,
		r.Platform, r.Team, r.QuestionID, PeriodAll, r.ID, minRanked).Error
	if err != nil {
		return fmt.Errorf("count item bands: %w", err)
	}
	// Each answerer moves from the band of their score without this round
	// (one answer fewer) to the band with it.
	err = tx.Exec(`INSERT INTO accuracy_bands (platform, team, band, people)
		SELECT ?, ?, band, SUM(d) FROM (
			SELECT s.correct * 100 / s.answers AS band, 1 AS d
			FROM answers a JOIN scores s ON s.platform = a.platform AND s.team = a.team AND s.channel = '' AND s.period = ? AND s.user_id = a.user_id
			WHERE a.round_id = ? AND s.answers >= ?
			UNION ALL
			SELECT (s.correct - CASE WHEN a.correct THEN 1 ELSE 0 END) * 100 / (s.answers - 1) AS band, -1 AS d
			FROM answers a JOIN scores s ON s.platform = a.platform AND s.team = a.team AND s.channel = '' AND s.period = ? AND s.user_id = a.user_id
			WHERE a.round_id = ? AND s.answers - 1 >= ?) moves
		WHERE true GROUP BY band
		ON CONFLICT (platform, team, band) DO UPDATE SET people = accuracy_bands.people + excluded.people`,
		r.Platform, r.Team, PeriodAll, r.ID, minRanked, PeriodAll, r.ID, minRanked).Error
	if err != nil {
		return fmt.Errorf("count accuracy bands: %w", err)
	}
	return nil
}

// rebuildAccuracyBands counts every tenant's people by accuracy again from
// the scores (after they were rebuilt).
func rebuildAccuracyBands(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM accuracy_bands").Error; err != nil {
		return fmt.Errorf("clear accuracy bands: %w", err)
	}
	err := tx.Exec(`INSERT INTO accuracy_bands (platform, team, band, people)
		SELECT platform, team, correct * 100 / answers, COUNT(*) FROM scores
		WHERE channel = '' AND period = ? AND answers >= ? GROUP BY platform, team, correct * 100 / answers`, PeriodAll, minRanked).Error
	if err != nil {
		return fmt.Errorf("count accuracy bands: %w", err)
	}
	return nil
}

// forgetAccuracy takes a person's all-time scores (in team, on platform or
// every platform when "") out of the accuracy bands, before Forget deletes
// them.
func forgetAccuracy(tx *gorm.DB, platform, team, user string) error {
	q := tx.Model(&Score{}).Where("team = ? AND user_id = ? AND channel = '' AND period = ? AND answers >= ?", team, user, PeriodAll, minRanked)
	if platform != "" {
		q = q.Where("platform = ?", platform)
	}
	var mine []Score
	if err := q.Find(&mine).Error; err != nil {
		return fmt.Errorf("read scores: %w", err)
	}
	for _, sc := range mine {
		if err := tx.Exec("UPDATE accuracy_bands SET people = people - 1 WHERE platform = ? AND team = ? AND band = ?",
			sc.Platform, sc.Team, sc.Correct*100/sc.Answers).Error; err != nil {
			return fmt.Errorf("uncount accuracy: %w", err)
		}
	}
	return nil
}

// ItemStat is a question's statistics in a tenant, or over all tenants.
type ItemStat struct {
	QuestionID string
	Asked      int
	Answers    int
	Correct    int
	Picks      [5]int // by the file's letter, A to E
	// MedianSeconds is the median time from the round's opening to an
	// answer of a revealed round (the lower middle one): to the second
	// under ten minutes, else rounded down to the minute (under an hour) or
	// the hour (see ItemTime).
	MedianSeconds int
	// Discrimination is how much better the tenant's strongest quarter of
	// people does on the question than its weakest (in percentage points);
	// negative means the weak do better, a sign of a flawed question. Valid
	// when DiscriminationN > 0.
	//
	// A person's strength is their all-time accuracy in the tenant, in
	// whole percent, as it was when the round of the answer was revealed
	// (that round included; people with fewer than minRanked answers by
	// then are left out). The quarters are cut from today's accuracies of
	// the tenant's people with minRanked answers: the weakest quarter is
	// every accuracy up to the one of the person a quarter of the way up,
	// the strongest every accuracy from the one of the person a quarter of
	// the way down, so people tied at a cut-off all count in its quarter;
	// when the two cut-offs meet (fewer than four people, or most people
	// equally strong) there is no discrimination. Over all tenants each
	// tenant's quarters are its own, and the answers in them are summed.
	Discrimination  int
	DiscriminationN int // answers from the two quarters it is based on
}

// Percent is the share of right answers.
func (s ItemStat) Percent() int {
	if s.Answers == 0 {
		return 0
	}
	return s.Correct * 100 / s.Answers
}

// ItemStats computes every question's statistics in tenant t, or over all
// tenants when t is nil, from what reveals keep per question: totals from
// item_totals, medians from item_times and discrimination from item_bands,
// cut into quarters by accuracy_bands. It reads no answers and no scores,
// so its cost depends on the number of questions, not answers or people.
func (s *Store) ItemStats(ctx context.Context, t *Tenant) ([]ItemStat, error) {
	db := s.db.WithContext(ctx)
	scope := func(q *gorm.DB, prefix string) *gorm.DB {
		if t == nil {
			return q
		}
		return q.Where(prefix+"platform = ? AND "+prefix+"team = ?", t.Platform, t.Team)
	}
	var totals []struct {
		QuestionID                                                 string
		Asked, Answers, Correct, PickA, PickB, PickC, PickD, PickE int
	}
	err := scope(db.Model(&ItemTotal{}), "").Select("question_id, SUM(asked) AS asked, SUM(answers) AS answers, SUM(correct) AS correct, " +
		"SUM(pick_a) AS pick_a, SUM(pick_b) AS pick_b, SUM(pick_c) AS pick_c, SUM(pick_d) AS pick_d, SUM(pick_e) AS pick_e").
		Group("question_id").Scan(&totals).Error
	if err != nil {
		return nil, fmt.Errorf("read item totals: %w", err)
	}
	stats := make(map[string]*ItemStat, len(totals))
	for _, r := range totals {
		stats[r.QuestionID] = &ItemStat{QuestionID: r.QuestionID, Asked: r.Asked, Answers: r.Answers, Correct: r.Correct,
			Picks: [5]int{r.PickA, r.PickB, r.PickC, r.PickD, r.PickE}}
	}
	if err := s.medians(ctx, t, stats); err != nil {
		return nil, err
	}
	if err := s.discrimination(ctx, t, stats); err != nil {
		return nil, err
	}
	out := make([]ItemStat, 0, len(stats))
	for _, st := range stats {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QuestionID < out[j].QuestionID })
	return out, nil
}

// medians finds each question's middle answer time in its histogram. The
// rows are summed over tenants and sorted here rather than in SQL: a plain
// scan of item_times is cheaper than the database's grouping and sorting
// (by collation, on PostgreSQL) of as many rows.
func (s *Store) medians(ctx context.Context, t *Tenant, stats map[string]*ItemStat) error {
	where, args := "", []any{}
	if t != nil {
		where, args = "WHERE platform = ? AND team = ?", []any{t.Platform, t.Team}
	}
	rows, err := s.db.WithContext(ctx).Raw(`SELECT question_id, sec, n FROM item_times `+where, args...).Rows()
	if err != nil {
		return fmt.Errorf("read answer times: %w", err)
	}
	defer rows.Close()
	hist := map[string]map[int]int{}
	for rows.Next() {
		var id string
		var sec, n int
		if err := rows.Scan(&id, &sec, &n); err != nil {
			return fmt.Errorf("read answer times: %w", err)
		}
		if stats[id] == nil {
			continue
		}
		h := hist[id]
		if h == nil {
			h = map[int]int{}
			hist[id] = h
		}
		h[sec] += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read answer times: %w", err)
	}
	// The histogram's own count is the total: it covers exactly the
	// answers counted in it.
	for id, h := range hist {
		secs := make([]int, 0, len(h))
		total := 0
		for sec, n := range h {
			secs = append(secs, sec)
			total += n
		}
		sort.Ints(secs)
		seen := 0
		for _, sec := range secs {
			if seen += h[sec]; seen >= (total+1)/2 && total > 0 {
				stats[id].MedianSeconds = sec
				break
			}
		}
	}
	return nil
}

// minRanked is how many answers a person needs before they are ranked into
// a quarter for discrimination.
const minRanked = 3

// discrimination compares each question's answers from the weakest and the
// strongest quarter of each tenant's people (see ItemStat.Discrimination).
// The cut-offs come from the tenant's accuracy distribution (accuracy_bands,
// one row per whole percent), the answers from item_bands.
func (s *Store) discrimination(ctx context.Context, t *Tenant, stats map[string]*ItemStat) error {
	where, bandWhere, args := "", "", []any{}
	if t != nil {
		where, bandWhere = "AND platform = ? AND team = ?", "WHERE b.platform = ? AND b.team = ?"
		args = append(args, t.Platform, t.Team, t.Platform, t.Team)
	}
	var rows []struct {
		QuestionID string
		Quart      int
		N          int
		Correct    int
	}
	// lo is the accuracy of the person ranked ceil(n/4) from the bottom
	// (the last of NTILE(4)'s first quarter), hi that of the first of the
	// last quarter (rank n - floor(n/4) + 1).
	err := s.db.WithContext(ctx).Raw(`WITH dist AS (
			SELECT platform, team, band, people AS n FROM accuracy_bands WHERE people > 0 `+where+`),
		cum AS (
			SELECT platform, team, band, CAST(SUM(n) OVER (PARTITION BY platform, team ORDER BY band) AS BIGINT) AS upto,
				CAST(SUM(n) OVER (PARTITION BY platform, team) AS BIGINT) AS total
			FROM dist),
		cuts AS (
			SELECT platform, team, MIN(CASE WHEN upto >= (total + 3) / 4 THEN band END) AS lo,
				MIN(CASE WHEN upto > total - total / 4 THEN band END) AS hi
			FROM cum GROUP BY platform, team HAVING MAX(total) >= 4),
		quarters AS (
			SELECT b.question_id AS question_id, CASE WHEN b.band <= c.lo THEN 1 ELSE 4 END AS quart, b.answers AS answers, b.correct AS correct
			FROM item_bands b JOIN cuts c ON c.platform = b.platform AND c.team = b.team AND c.lo < c.hi AND (b.band <= c.lo OR b.band >= c.hi)
			`+bandWhere+`)
		SELECT question_id, quart, SUM(answers) AS n, SUM(correct) AS correct FROM quarters GROUP BY question_id, quart`, args...).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("compute discrimination: %w", err)
	}
	type pair struct{ low, high [2]int }
	by := map[string]*pair{}
	for _, r := range rows {
		p := by[r.QuestionID]
		if p == nil {
			p = &pair{}
			by[r.QuestionID] = p
		}
		if r.Quart == 1 {
			p.low = [2]int{r.N, r.Correct}
		} else {
			p.high = [2]int{r.N, r.Correct}
		}
	}
	for id, p := range by {
		st := stats[id]
		if st == nil || p.low[0] == 0 || p.high[0] == 0 {
			continue
		}
		st.Discrimination = p.high[1]*100/p.high[0] - p.low[1]*100/p.low[0]
		st.DiscriminationN = p.low[0] + p.high[0]
	}
	return nil
}

// Flags says what is wrong with a question's statistics, for review: too
// easy (over 90% right), too hard (under 20%), an option nobody picks, or
// negative discrimination. Only questions with enough answers are judged.
func (s ItemStat) Flags(options int) []string {
	const enough = 20
	if s.Answers < enough {
		return nil
	}
	var out []string
	switch p := s.Percent(); {
	case p > 90:
		out = append(out, "too easy")
	case p < 20:
		out = append(out, "too hard")
	}
	for i := 0; i < options && i < len(s.Picks); i++ {
		if s.Picks[i] == 0 {
			out = append(out, fmt.Sprintf("nobody picks %c", 'A'+i))
		}
	}
	if s.DiscriminationN >= enough && s.Discrimination < 0 {
		out = append(out, "negative discrimination")
	}
	return out
}
