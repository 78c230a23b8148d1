package quiz

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Write queue bounds: memory stays bounded however many clicks arrive, and
// a full queue is a "busy, try again", not a growing backlog.
const (
	answerQueue = 4096
	answerBatch = 256
)

// pendingAnswer is a click waiting for the writer.
type pendingAnswer struct {
	in    AnswerInput
	state atomic.Int32 // queued, taken, cancelled
	done  chan answerOutcome
}

const (
	queued int32 = iota
	taken
	cancelled
)

type answerOutcome struct {
	res AnswerResult
	err error
}

// answerWriter is the one goroutine per process that commits answers, many
// per transaction.
type answerWriter struct {
	s     *Store
	queue chan *pendingAnswer
	start sync.Once
	quit  chan struct{}
	wg    sync.WaitGroup
}

func newAnswerWriter(s *Store) *answerWriter {
	return &answerWriter{s: s, queue: make(chan *pendingAnswer, answerQueue), quit: make(chan struct{})}
}

func (w *answerWriter) submit(ctx context.Context, in AnswerInput) (AnswerResult, error) {
	w.start.Do(func() { w.wg.Add(1); go w.run() })
	p := &pendingAnswer{in: in, done: make(chan answerOutcome, 1)}
	select {
	case <-w.quit:
		return AnswerResult{}, Errorf(EUnavailable, "The quiz is restarting; your answer was not recorded. Press the button again in a moment.")
	default:
	}
	select {
	case w.queue <- p:
	default:
		return AnswerResult{}, Errorf(EUnavailable, "Many answers are arriving at once; yours was not recorded. Press the button again in a moment.")
	}
	select {
	case o := <-p.done:
		return o.res, o.err
	case <-ctx.Done():
		if p.state.CompareAndSwap(queued, cancelled) {
			return AnswerResult{}, Errorf(EUnavailable, "Recording your answer took too long, so it was not recorded. Press the button again.")
		}
		o := <-p.done // in a transaction already: its outcome is coming
		return o.res, o.err
	}
}

// close stops the writer after it has committed everything queued.
func (w *answerWriter) close() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	w.wg.Wait()
}

func (w *answerWriter) run() {
	defer w.wg.Done()
	for {
		var first *pendingAnswer
		select {
		case first = <-w.queue:
		case <-w.quit:
			for { // commit what is queued, then stop
				select {
				case p := <-w.queue:
					w.commit(w.collect(p))
				default:
					return
				}
			}
		}
		w.commit(w.collect(first))
	}
}

// collect takes first and whatever else is queued, up to a batch.
func (w *answerWriter) collect(first *pendingAnswer) []*pendingAnswer {
	batch := []*pendingAnswer{first}
	for len(batch) < answerBatch {
		select {
		case p := <-w.queue:
			batch = append(batch, p)
		default:
			return batch
		}
	}
	return batch
}

// commit writes a batch in one transaction and tells every caller.
func (w *answerWriter) commit(batch []*pendingAnswer) {
	var live []*pendingAnswer
	for _, p := range batch {
		if p.state.CompareAndSwap(queued, taken) {
			live = append(live, p)
		}
	}
	if len(live) == 0 {
		return
	}
	outcomes := make([]answerOutcome, len(live))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := w.s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return w.s.writeAnswers(tx, live, outcomes)
	})
	for i, p := range live {
		if err != nil && outcomes[i].err == nil {
			outcomes[i] = answerOutcome{err: fmt.Errorf("record answers: %w", err)}
		}
		p.done <- outcomes[i]
	}
}

// candidate is a click on a known round with a valid letter. letter is ""
// for one that may not be inserted (closed), and dupOf names an earlier
// click of the same person on the same round in the batch.
type candidate struct {
	i      int
	round  Round
	q      *questions.Question
	letter string
	dupOf  int // index into live, or -1
}

// writeAnswers validates and stores a batch: the rounds are read once, then
// first answers, answers, attempts and redo items are written with one
// statement each. outcomes[i] answers live[i].
func (s *Store) writeAnswers(tx *gorm.DB, live []*pendingAnswer, outcomes []answerOutcome) error {
	now := s.Now()
	ids := map[uint64]bool{}
	var roundIDs []uint64
	for _, p := range live {
		if !ids[p.in.RoundID] {
			ids[p.in.RoundID] = true
			roundIDs = append(roundIDs, p.in.RoundID)
		}
	}
	dup, err := s.claimDeliveries(tx, live, now)
	if err != nil {
		return err
	}
	var rounds []Round
	// FOR SHARE (PostgreSQL) orders the batch against a concurrent reveal
	// claim, so no answer is committed after its round was counted.
	if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthShare}).Where("id IN ?", roundIDs).Find(&rounds).Error; err != nil {
		return fmt.Errorf("find rounds: %w", err)
	}
	byID := make(map[uint64]Round, len(rounds))
	for _, r := range rounds {
		byID[r.ID] = r
	}
	var cands []candidate
	firstOf := map[string]int{} // round/user -> live index of its first click in the batch
	for i, p := range live {
		in := p.in
		if dup[i] {
			outcomes[i].res.Duplicate = true
			continue
		}
		r, ok := byID[in.RoundID]
		if !ok || r.Platform != in.Platform || r.Team != in.Team || r.Channel != in.Channel ||
			(in.MessageRef != "" && r.MessageRef != "" && in.MessageRef != r.MessageRef) {
			outcomes[i].err = Errorf(ENotFound, "This round is not known here.")
			continue
		}
		q, err := s.Question(r.QuestionID)
		if err != nil {
			outcomes[i].err = err
			continue
		}
		letter := r.Order(q).Canonical(in.Option)
		if letter == "" {
			outcomes[i].err = Errorf(EInvalid, "There is no option %q; choose %s.", clipText(in.Option, 10), letterRange(q))
			continue
		}
		outcomes[i].res.Round = r
		c := candidate{i: i, round: r, q: q, letter: letter, dupOf: -1}
		k := answerKey(r.ID, in.UserID)
		if j, dup := firstOf[k]; dup {
			c.letter, c.dupOf = "", j
		} else {
			firstOf[k] = i
			// A posting round counts clicks too: its message may be in the
			// channel a moment before MarkPosted records it.
			if (r.State != StateOpen && r.State != StatePosting) || !in.ReceivedAt.Before(r.ClosesAt) || !now.Before(r.ClosesAt.Add(s.grace)) || (s.grace == 0 && !now.Before(r.ClosesAt)) {
				c.letter = "" // closed, unless an earlier answer stands (below)
				outcomes[i].err = Errorf(EClosed, "This round is closed.")
			}
		}
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		return nil
	}
	first, err := s.claimFirstAnswers(tx, live, cands)
	if err != nil {
		return err
	}
	inserted, err := s.insertAnswers(tx, live, cands, first, now)
	if err != nil {
		return err
	}
	// Whoever was not inserted may have answered before: find that answer.
	var lookup []candidate
	for _, c := range cands {
		if c.dupOf < 0 && !inserted[answerKey(c.round.ID, live[c.i].in.UserID)] {
			lookup = append(lookup, c)
		}
	}
	existing, err := s.existingAnswers(tx, live, lookup)
	if err != nil {
		return err
	}
	var atts []Attempt
	redo := map[string]RedoItem{}
	for _, c := range cands {
		in := live[c.i].in
		o := &outcomes[c.i]
		order := c.round.Order(c.q)
		k := answerKey(c.round.ID, in.UserID)
		switch {
		case c.dupOf >= 0:
			// A double click in the batch: the first one's answer stands.
			f := outcomes[c.dupOf]
			o.res, o.err = f.res, f.err
			o.res.Recorded = false
		case c.letter != "" && inserted[k]:
			o.res.Option, o.res.Shown, o.res.Recorded = c.letter, order.Shown(c.q.Index(c.letter)), true
			o.res.Correct, o.res.Practice = c.q.IsCorrect(c.letter), !first[firstKey(in.UserID, c.q.ID)]
			atts = append(atts, Attempt{Platform: in.Platform, Team: in.Team, UserID: in.UserID, QuestionID: c.q.ID,
				Category: c.q.Category, Mode: "round", Option: c.letter, Correct: o.res.Correct, At: now})
			if !o.res.Correct {
				redo[in.Platform+"\x00"+in.Team+"\x00"+firstKey(in.UserID, c.q.ID)] = RedoItem{Platform: in.Platform, Team: in.Team, UserID: in.UserID, QuestionID: c.q.ID,
					Box: 0, DueAt: now.Add(RedoIntervals[0]), CreatedAt: now, UpdatedAt: now}
			}
		default:
			if a, ok := existing[k]; ok {
				o.err = nil // an earlier answer stands, even after the deadline
				o.res.Option, o.res.Shown, o.res.Correct, o.res.Practice = a.Option, order.Shown(c.q.Index(a.Option)), a.Correct, a.Practice
			}
		}
	}
	if len(atts) > 0 {
		q, args := s.insertSQL("attempts", []string{"platform", "team", "user_id", "question_id", "category", "mode", "option", "correct", "at"}, len(atts), func(i int) []any {
			a := atts[i]
			return []any{a.Platform, a.Team, a.UserID, a.QuestionID, a.Category, a.Mode, a.Option, a.Correct, a.At}
		})
		if err := rawExec(tx, q, args); err != nil {
			return fmt.Errorf("insert attempts: %w", err)
		}
	}
	if len(redo) > 0 {
		items := make([]RedoItem, 0, len(redo))
		for _, it := range redo {
			items = append(items, it)
		}
		q, args := s.insertSQL("redo_items", []string{"platform", "team", "user_id", "question_id", "box", "due_at", "created_at", "updated_at"}, len(items), func(i int) []any {
			it := items[i]
			return []any{it.Platform, it.Team, it.UserID, it.QuestionID, it.Box, it.DueAt, it.CreatedAt, it.UpdatedAt}
		})
		q += ` ON CONFLICT (platform, team, user_id, question_id) DO UPDATE SET box = excluded.box, due_at = excluded.due_at, updated_at = excluded.updated_at`
		if err := rawExec(tx, q, args); err != nil {
			return fmt.Errorf("schedule redo: %w", err)
		}
	}
	return nil
}

// claimDeliveries records the batch's platform request ids in one
// statement and reports which items repeat one already handled (a
// redelivery), by index into live.
func (s *Store) claimDeliveries(tx *gorm.DB, live []*pendingAnswer, now time.Time) (map[int]bool, error) {
	var idx []int
	seen := map[string]int{}
	dup := map[int]bool{}
	for i, p := range live {
		d := p.in.Delivery
		if d == "" {
			continue
		}
		k := p.in.Platform + "\x00" + d
		if _, again := seen[k]; again {
			dup[i] = true // twice in this batch
			continue
		}
		seen[k] = i
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return dup, nil
	}
	q, args := s.insertSQL("deliveries", []string{"platform", "id", "created_at"}, len(idx), func(j int) []any {
		in := live[idx[j]].in
		return []any{in.Platform, clipID(in.Delivery), now}
	})
	got, err := returnedPairs(tx, q+" ON CONFLICT DO NOTHING RETURNING platform, id", args)
	if err != nil {
		return nil, fmt.Errorf("record deliveries: %w", err)
	}
	fresh := map[string]bool{}
	for _, g := range got {
		fresh[g[0]+"\x00"+g[1]] = true
	}
	for _, i := range idx {
		in := live[i].in
		if !fresh[in.Platform+"\x00"+clipID(in.Delivery)] {
			dup[i] = true
		}
	}
	return dup, nil
}

func clipID(id string) string {
	if len(id) > 128 {
		return id[:128]
	}
	return id
}

func answerKey(roundID uint64, user string) string { return fmt.Sprintf("%d/%s", roundID, user) }
func firstKey(user, questionID string) string      { return user + "\x00" + questionID }

// claimFirstAnswers records, for each open candidate, that the person has
// now answered the question in this team; it returns the ones that had not
// before (they score). The primary key decides, so two channels asking the
// same question at once still score it once.
func (s *Store) claimFirstAnswers(tx *gorm.DB, live []*pendingAnswer, cands []candidate) (map[string]bool, error) {
	var rows []FirstAnswer
	dedupe := map[string]bool{}
	for _, c := range cands {
		in := live[c.i].in
		k := firstKey(in.UserID, c.q.ID) + "\x00" + in.Platform + "\x00" + in.Team
		if c.letter == "" || c.dupOf >= 0 || dedupe[k] {
			continue
		}
		dedupe[k] = true
		rows = append(rows, FirstAnswer{Platform: in.Platform, Team: in.Team, UserID: in.UserID, QuestionID: c.q.ID, RoundID: c.round.ID})
	}
	out := map[string]bool{}
	if len(rows) == 0 {
		return out, nil
	}
	q, args := s.insertSQL("first_answers", []string{"platform", "team", "user_id", "question_id", "round_id"}, len(rows), func(i int) []any {
		r := rows[i]
		return []any{r.Platform, r.Team, r.UserID, r.QuestionID, r.RoundID}
	})
	q += " ON CONFLICT (platform, team, user_id, question_id) DO NOTHING RETURNING user_id, question_id"
	got, err := returnedPairs(tx, q, args)
	if err != nil {
		return nil, fmt.Errorf("record first answers: %w", err)
	}
	for _, g := range got {
		out[firstKey(g[0], g[1])] = true
	}
	return out, nil
}

// insertAnswers inserts the open candidates' answers (a double click in the
// batch or an earlier answer makes the insert a no-op) and returns which
// round/user pairs were inserted.
func (s *Store) insertAnswers(tx *gorm.DB, live []*pendingAnswer, cands []candidate, first map[string]bool, now time.Time) (map[string]bool, error) {
	var rows []candidate
	for _, c := range cands {
		if c.letter != "" && c.dupOf < 0 {
			rows = append(rows, c)
		}
	}
	out := map[string]bool{}
	if len(rows) == 0 {
		return out, nil
	}
	cols := []string{"round_id", "user_id", "platform", "team", "channel", "user_name", "option", "correct", "points", "answered_at", "question_id", "practice", "received_at", "answer_ms"}
	q, args := s.insertSQL("answers", cols, len(rows), func(i int) []any {
		c := rows[i]
		in := live[c.i].in
		correct := c.q.IsCorrect(c.letter)
		practice := !first[firstKey(in.UserID, c.q.ID)]
		points := 0
		if correct && !practice {
			points = c.q.Difficulty
		}
		return []any{c.round.ID, in.UserID, c.round.Platform, c.round.Team, c.round.Channel, in.UserName, c.letter, correct, points,
			now, c.q.ID, practice, in.ReceivedAt, max(in.ReceivedAt.Sub(c.round.CreatedAt).Milliseconds(), 0)}
	})
	q += " ON CONFLICT (round_id, user_id) DO NOTHING RETURNING round_id, user_id"
	got, err := returnedPairs(tx, q, args)
	if err != nil {
		return nil, fmt.Errorf("insert answers: %w", err)
	}
	for _, g := range got {
		round, err := strconv.ParseUint(g[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("insert answers: returned round id %q: %w", g[0], err)
		}
		out[answerKey(round, g[1])] = true
	}
	return out, nil
}

// existingAnswers reads the standing answers of the given round/user pairs.
func (s *Store) existingAnswers(tx *gorm.DB, live []*pendingAnswer, cands []candidate) (map[string]Answer, error) {
	out := map[string]Answer{}
	if len(cands) == 0 {
		return out, nil
	}
	var conds []string
	var args []any
	for _, c := range cands {
		conds = append(conds, "(round_id = ? AND user_id = ?)")
		args = append(args, c.round.ID, live[c.i].in.UserID)
	}
	var got []Answer
	if err := tx.Where(strings.Join(conds, " OR "), args...).Find(&got).Error; err != nil {
		return nil, fmt.Errorf("find answers: %w", err)
	}
	for _, a := range got {
		out[answerKey(a.RoundID, a.UserID)] = a
	}
	return out, nil
}

// insertSQL builds a multi-row INSERT with one placeholder per value, in
// the engine's own syntax: the batch statements go to the driver directly
// (rawExec, returnedPairs), not through gorm, whose statement building and SQL
// logging cost more than the insert for thousands of values.
func (s *Store) insertSQL(table string, cols []string, n int, row func(i int) []any) (string, []any) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	args := make([]any, 0, n*len(cols))
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j := range cols {
			if j > 0 {
				sb.WriteString(", ")
			}
			if s.postgres {
				sb.WriteByte('$')
				sb.WriteString(strconv.Itoa(len(args) + j + 1))
			} else {
				sb.WriteByte('?')
			}
		}
		sb.WriteByte(')')
		args = append(args, row(i)...)
	}
	return sb.String(), args
}

// rawExec runs a statement from insertSQL in tx's transaction.
func rawExec(tx *gorm.DB, query string, args []any) error {
	_, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, query, args...)
	return err
}

// returnedPairs runs a statement from insertSQL that returns two columns
// in tx's transaction, and gives each returned row's values as text.
func returnedPairs(tx *gorm.DB, query string, args []any) ([][2]string, error) {
	rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
