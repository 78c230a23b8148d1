package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// Timing of a round's message writes.
const (
	// RefreshEvery is the least time between two edits of a round's message
	// to update its answer count, however many clicks arrive.
	RefreshEvery = 3 * time.Second
	// refreshGuard: no count refresh starts this close to the deadline, so
	// a refresh never holds back the reveal.
	refreshGuard = 2 * time.Second
	// Each platform call has its own deadline; no pass boundary cancels
	// an edit in flight.
	refreshTimeout = 2 * time.Second
	postTimeout    = 30 * time.Second
	revealTimeout  = 30 * time.Second
	// Retry policy for posts and reveals: exponential backoff with jitter,
	// then the round is marked failed.
	maxPostAttempts   = 6
	maxRevealAttempts = 8
	baseRetry         = 2 * time.Second
	maxRetry          = 5 * time.Minute
	claimBatch        = 50
	revealWorkers     = 64
)

// Hooks tell the background loops (package schedule) to look again; the
// loops set them, and a nil hook is skipped.
type Hooks struct {
	// RoundsChanged: a round was opened, posted or marked dirty, so the
	// next wake-up may be sooner.
	RoundsChanged func()
	// SchedulesChanged: a daily schedule was set or removed here.
	SchedulesChanged func()
}

// Rounds owns every round's life from open to reveal (the states are in
// quiz/lifecycle.go): it posts the question, retries a post that failed,
// refreshes the answer count after clicks, and reveals the round at its
// deadline. Each message has one writer at a time, across replicas,
// because every write first takes the round's claim in the database; the
// reveal is always the last write.
type Rounds struct {
	store     *quiz.Store
	platforms *registry
	log       *slog.Logger

	mu    sync.Mutex
	hooks Hooks
	dirty map[uint64]time.Time // round -> when its count may next be refreshed
}

func newRounds(store *quiz.Store, platforms *registry, log *slog.Logger) *Rounds {
	return &Rounds{store: store, platforms: platforms, log: log, dirty: map[uint64]time.Time{}}
}

// SetHooks installs the loops' hooks.
func (rs *Rounds) SetHooks(h Hooks) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.hooks = h
}

func (rs *Rounds) roundsChanged() {
	rs.mu.Lock()
	f := rs.hooks.RoundsChanged
	rs.mu.Unlock()
	if f != nil {
		f()
	}
}

func (rs *Rounds) schedulesChanged() {
	rs.mu.Lock()
	f := rs.hooks.SchedulesChanged
	rs.mu.Unlock()
	if f != nil {
		f()
	}
}

// Open opens a round and posts its question: the round is created in
// posting state, claimed by this call, so no reveal can touch it until the
// question is posted and MarkPosted opens it. When the post fails, retry
// keeps the round for RunDue to post again (daily rounds); otherwise the
// round is failed, its channel freed, and the error returned (start).
func (rs *Rounds) Open(ctx context.Context, in quiz.OpenInput, retry bool) (quiz.Round, *questions.Question, error) {
	r, q, err := rs.store.OpenRound(ctx, in)
	if err != nil {
		return quiz.Round{}, nil, err
	}
	if err := rs.post(ctx, r, q, false, retry); err != nil {
		return r, q, err
	}
	return r, q, nil
}

// post posts a claimed posting round and opens it. again says an earlier
// attempt may have landed, so the platform looks for its message first. A
// post the platform refused fails a start at once (retry false); one whose
// outcome is unknown is always retried, and the retry adopts a message
// that did land.
func (rs *Rounds) post(ctx context.Context, r quiz.Round, q *questions.Question, again, retry bool) error {
	p := rs.platforms.get(r.Platform)
	err := fmt.Errorf("no %s platform configured: %w", r.Platform, ErrRejected)
	ref := ""
	if p != nil {
		m := roundMessage(r, q, 0)
		m.Retry = again
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
		if err = rs.platforms.pacer(r.Platform).wait(pctx, r.Channel); err == nil {
			ref, err = p.Post(pctx, r.Channel, m)
		}
		cancel()
	}
	if err == nil {
		err = rs.store.MarkPosted(context.WithoutCancel(ctx), r.ID, ref)
		if err == nil {
			rs.log.Info("Round posted", roundAttrs(r, "question_id", r.QuestionID)...)
			rs.roundsChanged()
			return nil
		}
	}
	rs.log.Error("Post round failed", roundAttrs(r, "attempt", r.Attempts+1, "error", err)...)
	if !retry && errors.Is(err, ErrRejected) {
		if ferr := rs.store.FailRound(context.WithoutCancel(ctx), r.ID, err.Error()); ferr != nil {
			rs.log.Error("Mark round failed", roundAttrs(r, "error", ferr)...)
		}
		return quiz.Errorf(quiz.EUnavailable, "I could not post the question in this channel. Is the bot a member of it? Then try again.")
	}
	metrics.Retries.WithLabelValues("post").Inc()
	if derr := rs.store.DeferPost(context.WithoutCancel(ctx), r, quiz.DefaultLease, backoff(r.Attempts+1), err, maxPostAttempts); derr != nil {
		rs.log.Error("Defer post", roundAttrs(r, "error", derr)...)
	}
	rs.roundsChanged()
	if !retry {
		return ErrPostPending
	}
	return nil
}

// ErrPostPending: the platform did not confirm a start's post; it is
// retried in the background (and found, if it landed after all).
var ErrPostPending = quiz.Errorf(quiz.EUnavailable, "The platform did not confirm the post of the question yet. I am retrying; it will appear in this channel shortly, once.")

// OpenDaily opens and posts the schedule's round for localDate, closing at
// closesAt. A round already opened for that date (by another replica, or by
// a repeated wall time when clocks go back) makes it a no-op. An open round
// of the channel is revealed first. A failed post is retried by RunDue.
func (rs *Rounds) OpenDaily(ctx context.Context, sch quiz.Schedule, localDate string, closesAt time.Time) error {
	t := sch.Tenant()
	if done, err := rs.store.HasDailyRound(ctx, sch.ID, localDate); err != nil || done {
		return err
	}
	closed, err := rs.store.CloseNow(ctx, t, sch.Channel, sch.ID, localDate)
	if err != nil {
		return err
	}
	if closed {
		if _, err := rs.RevealDue(ctx); err != nil {
			return err
		}
	}
	// Last week's summary goes first, so the question stays the newest message.
	rs.weeklySummary(ctx, sch)
	id := sch.ID
	_, _, err = rs.Open(ctx, quiz.OpenInput{
		Tenant: t, Channel: sch.Channel, OpenedBy: "schedule", ScheduleID: &id, LocalDate: localDate, ClosesAt: closesAt,
	}, true)
	if quiz.ErrorCode(err) == quiz.EConflict {
		if done, herr := rs.store.HasDailyRound(ctx, sch.ID, localDate); herr == nil && done {
			return nil // another replica, or the repeated wall time, was first
		}
	}
	if err != nil {
		return fmt.Errorf("open daily round of schedule %d: %w", sch.ID, err)
	}
	metrics.RoundsOpened.WithLabelValues(sch.Platform, "daily").Inc()
	rs.remind(ctx, sch)
	return nil
}

// weeklySummary posts, with a channel's first daily round of a week, how
// the channel did the week before: once per schedule and week, whichever
// replica gets there first; nothing when that week was empty.
func (rs *Rounds) weeklySummary(ctx context.Context, sch quiz.Schedule) {
	loc, err := sch.Location()
	if err != nil {
		return
	}
	week := quiz.PeriodStart(quiz.PeriodWeek, rs.store.Now(), loc)
	sum, err := rs.store.Summary(ctx, sch.Tenant(), sch.Channel, week.AddDate(0, 0, -7), week)
	if err != nil {
		rs.log.Warn("Weekly summary", "schedule_id", sch.ID, "error", err)
		return
	}
	if sum.Answers == 0 {
		return
	}
	first, err := rs.store.SummaryPosted(ctx, sch.ID, week.In(loc).Format("2006-01-02"))
	if err != nil || !first {
		return
	}
	p := rs.platforms.get(sch.Platform)
	if p == nil {
		return
	}
	m := summaryMessage(sum, rs.store.Bank().Tips, "Last week in this channel")
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	if err := rs.platforms.pacer(sch.Platform).wait(pctx, sch.Channel); err == nil {
		_, err = p.Post(pctx, sch.Channel, m)
	}
	if err != nil {
		rs.log.Warn("Post weekly summary", "schedule_id", sch.ID, "error", err)
	}
}

// DirectMessenger is implemented by platforms that can message one person
// privately outside a request (a Slack DM, a Discord DM): redo reminders
// go through it. team is the tenant the message is about: a click on its
// buttons comes from the DM, where a platform may not say which server
// the person is in (Discord), so the adapter carries it. An error
// wrapping ErrRejected is a definite refusal (the person's DMs are
// closed): nothing was sent, and asking again the same day will not help.
type DirectMessenger interface {
	DirectMessage(ctx context.Context, team, user string, m Message) error
}

// remind nudges the channel's people who have redo questions due, at most
// once a day across channels, never those who turned reminders off.
func (rs *Rounds) remind(ctx context.Context, sch quiz.Schedule) {
	p, ok := rs.platforms.adapter(sch.Platform).(DirectMessenger)
	if !ok {
		return
	}
	due, err := rs.store.DueReminders(ctx, sch.Tenant(), sch.Channel)
	if err != nil {
		rs.log.Warn("Redo reminders", "schedule_id", sch.ID, "error", err)
		return
	}
	for _, d := range due {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
		// A DM is a write like any other: it takes its turn in the
		// platform's pace (each person's DM is a channel of its own).
		err := rs.platforms.pacer(sch.Platform).wait(dctx, "dm:"+d.UserID)
		if err == nil {
			err = p.DirectMessage(dctx, sch.Team, d.UserID, reminderMessage(d.Due))
		}
		cancel()
		switch {
		case errors.Is(err, ErrRejected):
			rs.log.Info("Redo reminder refused by the platform", "platform", sch.Platform, "team", sch.Team, "error", err)
		case err != nil:
			rs.log.Warn("Send redo reminder", "platform", sch.Platform, "team", sch.Team, "error", err)
		}
	}
}

// MarkDirty asks for a count refresh of the round's message: at most one
// per RefreshEvery, done by RunDue.
func (rs *Rounds) MarkDirty(r quiz.Round) {
	rs.mu.Lock()
	_, pending := rs.dirty[r.ID]
	if !pending {
		rs.dirty[r.ID] = rs.store.Now().Add(RefreshEvery)
	}
	rs.mu.Unlock()
	if !pending {
		rs.roundsChanged()
	}
}

// RunDue does the work whose time has come: posts to retry, count
// refreshes, and reveals. It returns how many rounds it revealed.
func (rs *Rounds) RunDue(ctx context.Context) (int, error) {
	if err := rs.postDue(ctx); err != nil {
		rs.log.Error("Post pass failed", "error", err)
	}
	rs.RefreshDue(ctx)
	return rs.RevealDue(ctx)
}

// NextWake is when RunDue next has work: the store's next deadline or
// lapsing claim, or the next count refresh.
func (rs *Rounds) NextWake(ctx context.Context) (time.Time, bool, error) {
	next, ok, err := rs.store.NextWake(ctx, quiz.DefaultLease)
	if err != nil {
		return next, ok, err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, at := range rs.dirty {
		if !ok || at.Before(next) {
			next, ok = at, true
		}
	}
	return next, ok, nil
}

func (rs *Rounds) postDue(ctx context.Context) error {
	rounds, err := rs.store.ClaimPosts(ctx, quiz.DefaultLease, claimBatch)
	if err != nil {
		return err
	}
	for _, r := range rounds {
		q, err := rs.store.Question(r.QuestionID)
		if err != nil {
			// Retired from the bank before it could be posted: nothing to post.
			rs.log.Warn("Posting round's question was retired; the round is failed", roundAttrs(r, "question_id", r.QuestionID)...)
			if ferr := rs.store.FailRound(ctx, r.ID, "question retired from the bank"); ferr != nil {
				rs.log.Error("Mark round failed", roundAttrs(r, "error", ferr)...)
			}
			continue
		}
		r.Attempts-- // ClaimPosts counted this attempt already
		// Every claimed round was tried before, even when its attempts say
		// 0: a poster killed between the platform's answer and MarkPosted
		// recorded nothing, and its message may be in the channel.
		rs.post(ctx, r, q, true, true)
	}
	return nil
}

// RefreshDue refreshes the count of every dirty round whose time has come
// and returns how many message edits it made.
func (rs *Rounds) RefreshDue(ctx context.Context) (int, error) {
	now := rs.store.Now()
	var due []uint64
	rs.mu.Lock()
	for id, at := range rs.dirty {
		if !at.After(now) {
			due = append(due, id)
			delete(rs.dirty, id)
		}
	}
	rs.mu.Unlock()
	n := 0
	for _, id := range due {
		if rs.refresh(ctx, id) {
			n++
		}
	}
	return n, nil
}

// refresh edits the round's message with its answer count, holding the
// round's refresh claim so the reveal cannot overlap it. It reports
// whether it edited.
func (rs *Rounds) refresh(ctx context.Context, id uint64) bool {
	r, ok, err := rs.store.ClaimRefresh(ctx, id, refreshGuard+refreshTimeout)
	if err != nil {
		rs.log.Warn("Claim refresh", "round_id", id, "error", err)
		return false
	}
	if !ok {
		return false // closed, revealing, or another replica is refreshing it
	}
	defer func() {
		if err := rs.store.ReleaseRefresh(context.WithoutCancel(ctx), r); err != nil {
			rs.log.Warn("Release refresh", roundAttrs(r, "error", err)...)
		}
	}()
	p := rs.platforms.get(r.Platform)
	q, err := rs.store.Question(r.QuestionID)
	if p == nil || err != nil {
		return false
	}
	n, err := rs.store.AnswerCount(ctx, r.ID)
	if err != nil {
		rs.log.Warn("Count answers", roundAttrs(r, "error", err)...)
		return false
	}
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	if err := rs.platforms.pacer(r.Platform).wait(ectx, r.Channel); err != nil {
		return false // no room for a refresh now; the reveal matters more
	}
	if err := p.Edit(ectx, r.Channel, r.MessageRef, roundMessage(r, q, n)); err != nil {
		rs.log.Warn("Refresh answer count", roundAttrs(r, "error", err)...)
		return false
	}
	return true
}

// RevealDue claims every round due for its reveal and reveals it, up to
// revealWorkers at a time: a worker that finishes claims more at once, so
// a slow or hanging edit holds back only its own round, never a batch. It
// returns how many rounds it revealed once none is left; a failed edit is
// retried later with backoff.
func (rs *Rounds) RevealDue(ctx context.Context) (int, error) {
	var (
		mu    sync.Mutex
		done  int
		wg    sync.WaitGroup
		slots = make(chan struct{}, revealWorkers)
	)
	defer wg.Wait()
	for {
		// Claim only as many rounds as there are free workers: a claimed
		// round waits for nobody.
		slots <- struct{}{}
		free := 1
	fill:
		for free < revealWorkers {
			select {
			case slots <- struct{}{}:
				free++
			default:
				break fill
			}
		}
		rounds, err := rs.store.ClaimDue(ctx, quiz.DefaultLease, free)
		if err != nil {
			for ; free > 0; free-- {
				<-slots
			}
			return done, err
		}
		for ; free > len(rounds); free-- {
			<-slots
		}
		if len(rounds) == 0 {
			// Nothing claimable now; when the rounds in flight finish, look
			// once more (another replica may have left some, or they freed
			// their slots), then stop.
			wg.Wait()
			more, err := rs.store.ClaimDue(ctx, quiz.DefaultLease, 1)
			if err != nil || len(more) == 0 {
				return done, err
			}
			rounds = more
			slots <- struct{}{}
		}
		for _, r := range rounds {
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				if err := rs.reveal(ctx, r); err != nil {
					rs.log.Error("Reveal failed", roundAttrs(r, "attempt", r.Attempts, "error", err)...)
					rs.deferReveal(ctx, r, err)
					return
				}
				mu.Lock()
				done++
				mu.Unlock()
			}()
		}
	}
}

func (rs *Rounds) reveal(ctx context.Context, r quiz.Round) error {
	p := rs.platforms.get(r.Platform)
	if p == nil {
		return fmt.Errorf("no %s platform configured", r.Platform)
	}
	res, err := rs.store.Result(ctx, r)
	if err != nil {
		return err
	}
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revealTimeout)
	defer cancel()
	if err := rs.platforms.pacer(r.Platform).wait(ectx, r.Channel); err != nil {
		return fmt.Errorf("wait for the platform's rate limit: %w", err)
	}
	if err := p.Edit(ectx, r.Channel, r.MessageRef, revealMessage(res)); err != nil {
		return err
	}
	if err := rs.store.FinishReveal(context.WithoutCancel(ctx), r.ID); err != nil {
		return err
	}
	rs.mu.Lock()
	delete(rs.dirty, r.ID)
	rs.mu.Unlock()
	late := rs.store.Now().Sub(r.ClosesAt)
	metrics.RoundsRevealed.WithLabelValues(r.Platform).Inc()
	metrics.RevealLateness.WithLabelValues(r.Platform).Observe(max(late.Seconds(), 0))
	rs.log.Info("Round revealed", roundAttrs(r, "answers", res.Total, "late_seconds", late.Seconds())...)
	return nil
}

func (rs *Rounds) deferReveal(ctx context.Context, r quiz.Round, cause error) {
	metrics.Retries.WithLabelValues("reveal").Inc()
	if err := rs.store.DeferReveal(context.WithoutCancel(ctx), r, quiz.DefaultLease, backoff(r.Attempts), cause, maxRevealAttempts); err != nil {
		rs.log.Error("Defer reveal", roundAttrs(r, "error", err)...)
	}
}

// backoff is the wait before retry n (1-based): exponential with jitter.
func backoff(attempt int) time.Duration {
	d := baseRetry << min(max(attempt-1, 0), 10)
	if d > maxRetry {
		d = maxRetry
	}
	return d + time.Duration(rand.Int64N(int64(d/2)+1))
}

// roundAttrs are the log attributes of every line about a round.
func roundAttrs(r quiz.Round, more ...any) []any {
	return append([]any{"round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel}, more...)
}
