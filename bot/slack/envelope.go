package slack

import "context"

// handleEnvelope handles one Socket Mode envelope like its HTTP
// counterpart and acks it on the connection it came from: a command at
// once (its reply follows through response_url), a click only once its
// answer is committed, anything else at once and otherwise ignored.
func (a *Adapter) handleEnvelope(c *smConn, env envelope) {
	ack := func() {
		if err := c.ack(env.EnvelopeID); err != nil {
			// The answer, if any, is committed; Slack's redelivery carries
			// the same trigger_id and changes nothing.
			a.log.Warn("Socket Mode ack failed", "connection", c.id, "type", env.Type, "error", closeCause(err))
		}
	}
	switch env.Type {
	case "slash_commands":
		cmd, err := commandJSON(env.Payload)
		ack()
		if err != nil {
			a.log.Warn("Socket Mode: malformed slash command ignored", "connection", c.id)
			return
		}
		a.startCommand(cmd)
	case "interactive":
		cl, isClick, err := decodeInteraction(env.Payload)
		if err != nil || !isClick {
			ack()
			if err != nil {
				a.log.Warn("Socket Mode: malformed interaction ignored", "connection", c.id)
			}
			return
		}
		cl.at = env.at
		reply := a.click(context.Background(), cl)
		ack()
		a.replyToClick(cl, reply)
	default:
		// events_api and anything Slack adds later: this app subscribes to
		// none, but an unacked envelope is redelivered, so ack it.
		ack()
	}
}
