package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// ManagerRule is implemented by platforms that decide who may manage a
// channel themselves; it says who in a sentence's object, e.g. "workspace
// admins and owners", so a refusal can name exactly who may.
type ManagerRule interface {
	ManagerRule() string
}

// isManager reports whether the person may manage the channel: the
// platform says so, or a manager of the team named them (admins add).
func (b *Bot) isManager(ctx context.Context, ev Event) bool {
	if ev.canManage(ctx) {
		return true
	}
	ok, err := b.store.IsAdmin(ctx, ev.tenant(), ev.User)
	if err != nil {
		b.log.Warn("Admin check failed; treating the person as not a manager", "platform", ev.Platform, "team", ev.Team, "error", err)
	}
	return ok
}

// managerRule names who the platform of ev lets manage a channel.
func (b *Bot) managerRule(ev Event) string {
	if r, ok := b.platforms.adapter(ev.Platform).(ManagerRule); ok {
		return r.ManagerRule()
	}
	return "people who can manage this channel"
}

// managersOnly is the refusal for a change that needs manager rights,
// naming who has them on ev's platform.
func (b *Bot) managersOnly(ev Event) string {
	return fmt.Sprintf("Only %s, and people they add with /asyncquiz admins add @name, may do that. "+
		"See who was added with /asyncquiz admins; see this channel's schedule with /asyncquiz daily.", b.managerRule(ev))
}

func (b *Bot) stop(ctx context.Context, ev Event, _ Command) (Reply, error) {
	r, err := b.closeRound(ctx, ev, false)
	if err != nil {
		return Reply{}, err
	}
	return textReply(fmt.Sprintf("Round %d is closed; its answer is revealed in a moment.", r.ID)), nil
}

func (b *Bot) cancel(ctx context.Context, ev Event, _ Command) (Reply, error) {
	r, err := b.closeRound(ctx, ev, true)
	if err != nil {
		return Reply{}, err
	}
	return textReply(fmt.Sprintf("Round %d is cancelled: nothing is scored and its answer stays hidden, so the question can be asked again.", r.ID)), nil
}

// closeRound closes the channel's open round for its starter or a manager
// (asked only when the person did not start it).
func (b *Bot) closeRound(ctx context.Context, ev Event, cancel bool) (quiz.Round, error) {
	open, err := b.store.OpenRoundIn(ctx, ev.tenant(), ev.Channel)
	if err != nil {
		return quiz.Round{}, err
	}
	manager := open.OpenedBy == ev.User || b.isManager(ctx, ev)
	r, err := b.store.CloseRound(ctx, quiz.CloseInput{
		Tenant: ev.tenant(), RoundID: open.ID, By: ev.User, ByName: ev.UserName, Manager: manager, Cancel: cancel,
	})
	if quiz.ErrorCode(err) == quiz.EForbidden {
		return quiz.Round{}, quiz.Errorf(quiz.EForbidden, "Only the person who started round %d, %s, or people they add with /asyncquiz admins add may stop or cancel it.",
			open.ID, b.managerRule(ev))
	}
	if err != nil {
		return quiz.Round{}, err
	}
	b.log.Info("Round closed early", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel, "round_id", r.ID, "cancelled", cancel)
	b.rounds.roundsChanged()
	return r, nil
}

func (b *Bot) admins(ctx context.Context, ev Event, c Command) (Reply, error) {
	t := ev.tenant()
	switch c.AdminAction {
	case "add":
		added, err := b.store.AddAdmin(ctx, t, c.User, c.UserName, ev.User)
		if err != nil {
			return Reply{}, err
		}
		if !added {
			return textReply(who(c) + " may already change schedules here."), nil
		}
		b.log.Info("Schedule manager added", "platform", ev.Platform, "team", ev.Team, "user", c.User, "by", ev.User)
		return textReply(who(c) + " may now change this team's daily quizzes and stop or cancel rounds. Undo with /asyncquiz admins remove."), nil
	case "remove":
		removed, err := b.store.RemoveAdmin(ctx, t, c.User)
		if err != nil {
			return Reply{}, err
		}
		if !removed {
			return textReply(who(c) + " was not added with /asyncquiz admins add, so there is nothing to remove."), nil
		}
		b.log.Info("Schedule manager removed", "platform", ev.Platform, "team", ev.Team, "user", c.User, "by", ev.User)
		return textReply(who(c) + " no longer manages schedules here (unless the platform itself says they may)."), nil
	}
	list, err := b.store.Admins(ctx, t)
	if err != nil {
		return Reply{}, err
	}
	head := "Besides " + b.managerRule(ev) + ", "
	if len(list) == 0 {
		return textReply(head + "nobody has been added. A manager can add someone with /asyncquiz admins add @name."), nil
	}
	var names []string
	for _, a := range list {
		names = append(names, adminName(a))
	}
	return textReply(head + "these people may change schedules and stop or cancel rounds: " + strings.Join(names, ", ") + "."), nil
}

func who(c Command) string {
	if c.UserName != "" {
		return quiz.CleanName(c.UserName, quiz.MaxUserName)
	}
	return c.User
}

func adminName(a quiz.Admin) string {
	if a.UserName != "" {
		return fmt.Sprintf("%s (%s)", a.UserName, a.UserID)
	}
	return a.UserID
}

func (b *Bot) forget(ctx context.Context, ev Event, c Command) (Reply, error) {
	if !c.Confirm {
		return textReply("This deletes your answers, points, streaks, redo queue, drills and reports in this team, for good. " +
			"Messages already posted in channels stay as they are. To go ahead, type /asyncquiz forget me."), nil
	}
	n, err := b.store.Forget(ctx, ev.Platform, ev.Team, ev.User)
	if err != nil {
		return Reply{}, err
	}
	return textReply(fmt.Sprintf("Done: asyncquiz has forgotten you in this team (%d records deleted). Your next answer starts afresh.", n.Total())), nil
}
