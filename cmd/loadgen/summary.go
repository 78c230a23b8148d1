package main

import (
	"strconv"
	"time"
)

// summarize fills the report's click, latency, reveal and platform parts
// from what the driver sent, what the fakes saw, and (when read) what the
// database holds.
func summarize(r *report, d *driver, rec *recorder, st *stored) {
	c := &r.Clicks
	c.ConnsDialed, c.ConnsPeakOpen = d.dialed.Load(), d.peakOpen.Load()
	c.Planned = len(d.clicks)
	c.Errors = d.errors
	clicked := map[pair]bool{}
	locked := map[pair]bool{}
	var acks, privates, lags []time.Duration
	var firstSent, lastSent, firstAck, lastAck time.Duration = -1, 0, -1, 0
	for k := range d.clicks {
		ck := &d.clicks[k]
		if ck.sent == 0 {
			continue // never sent (interrupted)
		}
		c.Sent++
		if ck.repeat {
			c.Repeats++
		}
		if firstSent < 0 || ck.sent < firstSent {
			firstSent = ck.sent
		}
		lastSent = max(lastSent, ck.sent)
		lags = append(lags, ck.sent-ck.due)
		m := d.rounds[ck.round]
		pr := pair{m.RoundID, userID(m.Platform, ck.user)}
		clicked[pr] = true
		if ck.acked == 0 {
			c.Failed++
			continue
		}
		c.Acked++
		lastAck = max(lastAck, ck.acked)
		if firstAck < 0 || ck.acked < firstAck {
			firstAck = ck.acked
		}
		ack := ck.acked - ck.sent
		acks = append(acks, ack)
		if ack > 3*time.Second {
			c.LateAcks++
		}
		rp, ok := ck.inline, ck.inline.Text != ""
		if !ok {
			rp, ok = rec.reply("c" + strconv.Itoa(k))
		}
		if !ok {
			c.NoReply++
			continue
		}
		privates = append(privates, rp.At.Sub(d.start)-ck.sent)
		switch classify(rp.Text) {
		case "locked":
			c.Locked++
			locked[pr] = true
		case "already":
			c.Already++
		default:
			c.Other++
			if len(c.OtherSamples) < 3 {
				c.OtherSamples = append(c.OtherSamples, shorten(rp.Text, 200))
			}
		}
	}
	rec.mu.Lock()
	for id, n := range rec.extra {
		if len(id) > 0 && id[0] == 'c' {
			c.ExtraReplies += n
		}
	}
	r.Platform.Calls = copyCounts(rec.calls)
	r.Platform.RateLimited = copyCounts(rec.limited)
	r.Platform.Connections = map[string]connJSON{}
	for name, cs := range rec.conns {
		r.Platform.Connections[name] = connJSON{Accepted: cs.accepted, PeakOpen: cs.peak, DistinctPorts: len(cs.ports)}
	}
	rec.mu.Unlock()

	if c.Sent > 0 {
		c.Bytes = int(d.bytesSent.Load()) / c.Sent
	}
	r.AckLatency, r.PrivateReply, r.SendLag = distOf(acks), distOf(privates), distOf(lags)
	if span := (lastSent - firstSent).Seconds(); c.Sent > 1 && span > 0 {
		r.Throughput.Sent = float64(c.Sent-1) / span
	}
	if span := (lastAck - firstAck).Seconds(); c.Acked > 1 && span > 0 {
		r.Throughput.Acked = float64(c.Acked-1) / span
	}

	c.Recorded = -1
	if st != nil {
		c.Recorded = 0
		for pr, n := range st.Answers {
			c.Recorded += n
			c.Duplicates += n - 1
			if !clicked[pr] {
				c.Unexpected += n
			}
		}
		for pr := range locked {
			if st.Answers[pr] == 0 {
				c.Lost++
			}
		}
		r.Throughput.RecordedMean, r.Throughput.RecordedPeak = recordRate(st.Answered)
	}
	summarizeReveals(r, rec, st)
}

// recordRate is answers per second over the span of answered_at, and the
// most in one wall-clock second.
func recordRate(at []time.Time) (float64, int) {
	if len(at) == 0 {
		return 0, 0
	}
	lo, hi := at[0], at[0]
	perSec := map[int64]int{}
	for _, t := range at {
		if t.Before(lo) {
			lo = t
		}
		if t.After(hi) {
			hi = t
		}
		perSec[t.Unix()]++
	}
	peak := 0
	for _, n := range perSec {
		peak = max(peak, n)
	}
	span := hi.Sub(lo).Seconds()
	if span < 1 {
		return float64(len(at)), peak
	}
	return float64(len(at)) / span, peak
}

func summarizeReveals(r *report, rec *recorder, st *stored) {
	v := &r.Reveals
	msgs := rec.roundMessages()
	v.Rounds = len(msgs)
	v.Source = "message"
	if st != nil && len(st.Rounds) > 0 {
		v.Source = "database"
	}
	var late []time.Duration
	var lo, hi time.Time
	for _, m := range msgs {
		v.Refreshes += m.Refreshes
		closes := m.Deadline
		if sr, ok := st.round(m.RoundID); ok {
			closes = sr.ClosesAt
		}
		if lo.IsZero() || closes.Before(lo) {
			lo = closes
		}
		if closes.After(hi) {
			hi = closes
		}
		if m.Reveals == 0 {
			continue
		}
		v.Revealed++
		if m.Reveals > 1 {
			v.RevealedTwice++
		}
		late = append(late, m.RevealedAt.Sub(closes))
	}
	v.Lateness = distOf(late)
	v.DeadlineSpread = ms(hi.Sub(lo))
}

func (st *stored) round(id uint64) (storedRound, bool) {
	if st == nil {
		return storedRound{}, false
	}
	r, ok := st.Rounds[id]
	return r, ok
}

func copyCounts(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
