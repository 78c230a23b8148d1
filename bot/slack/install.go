package slack

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// installation is what the bot token is installed in. Everything this
// token receives (commands and clicks, whoever sends them: a Slack Connect
// guest's team, another workspace of a Grid org sharing the channel, an
// org-wide install's team: null) belongs to it: one tenant, the
// installation, so a round, its answers and its players' scores and
// queues are kept where the round's channel is installed.
type installation struct {
	Tenant string // bot.Event.Team: the team id, or the org id for an org-wide install
	BotID  string // bot_id of the messages this token posts
}

// authTestTimeout bounds auth.test; a click waiting for it is bounded
// by its own, shorter deadline.
const authTestTimeout = 10 * time.Second

// Start asks Slack who the bot token belongs to (auth.test). A token Slack
// refuses is an error naming SLACK_BOT_TOKEN, since no retry can fix it;
// Slack being unreachable is not: the next request asks again.
func (a *Adapter) Start(ctx context.Context) error {
	inst, err := a.installation(ctx)
	if err != nil {
		if isAuthError(err) {
			return fmt.Errorf("SLACK_BOT_TOKEN was refused by Slack (%w)", err)
		}
		a.log.Warn("Cannot ask Slack who the bot is yet; asking again on the next request", "error", err)
		return nil
	}
	a.log.Info("Slack installation", "tenant", inst.Tenant)
	return nil
}

// installation returns the installation, asking auth.test until it
// answers; a success is kept for good.
func (a *Adapter) installation(ctx context.Context) (installation, error) {
	a.instMu.Lock()
	inst := a.inst
	a.instMu.Unlock()
	if inst.Tenant != "" {
		return inst, nil
	}
	ctx, cancel := context.WithTimeout(ctx, authTestTimeout)
	defer cancel()
	var r struct {
		TeamID              string `json:"team_id"`
		EnterpriseID        string `json:"enterprise_id"`
		BotID               string `json:"bot_id"`
		IsEnterpriseInstall bool   `json:"is_enterprise_install"`
	}
	if err := a.call(ctx, "auth.test", a.botToken, nil, &r); err != nil {
		return installation{}, err
	}
	inst = installation{Tenant: r.TeamID, BotID: r.BotID}
	if r.IsEnterpriseInstall && r.EnterpriseID != "" {
		inst.Tenant = r.EnterpriseID
	}
	if !validID(inst.Tenant) {
		return installation{}, errors.New("auth.test: no valid team or enterprise id in the answer")
	}
	a.instMu.Lock()
	a.inst = inst
	a.instMu.Unlock()
	return inst, nil
}

// notInstalled is the private reply while auth.test cannot be answered.
const notInstalled = "asyncquiz cannot reach Slack right now to check its installation. Please try again in a minute."
