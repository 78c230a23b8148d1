package slack

import (
	"context"
	"encoding/json"
)

// handleEnvelope handles one Socket Mode envelope like its HTTP
// counterpart and acks it on the connection it came from: a command at
// once (its reply follows through response_url), a click only once its
// answer is committed, a form's submission once it is committed, with the
// reply in the ack, anything else at once and otherwise ignored.
func (a *Adapter) handleEnvelope(c *smConn, env envelope) {
	ackWith := func(payload json.RawMessage) {
		if err := c.ack(env.EnvelopeID, payload); err != nil {
			// The answer, if any, is committed; Slack's redelivery carries
			// the same trigger_id and changes nothing.
			a.log.Warn("Socket Mode ack failed", "connection", c.id, "type", env.Type, "error", closeCause(err))
		}
	}
	ack := func() { ackWith(nil) }
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
		typ, cl, err := decodePayload(env.Payload)
		if typ == "view_submission" {
			s, ours, err := decodeSubmission(env.Payload)
			if err != nil || !ours {
				ack()
				if err != nil {
					a.log.Warn("Socket Mode: malformed view submission ignored", "connection", c.id)
				}
				return
			}
			s.at = env.at
			// Committed before the ack, which carries the reply.
			ackWith(a.submit(context.Background(), s))
			return
		}
		if err != nil || typ != "block_actions" {
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
