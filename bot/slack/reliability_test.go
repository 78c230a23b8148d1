package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/quiz"
	dto "github.com/prometheus/client_model/go"
)

// Issue 13.4: Slack retries a slash command (X-Slack-Retry-Num, same
// trigger_id). The retry starts nothing and sends no second reply; before,
// a retried `drill 3` created two drills and a retried start answered
// the person with an error.
func TestAdapter_SlackRetryOfACommandRunsOnce(t *testing.T) {
	for _, text := range []string{"start 1m", "drill 3"} {
		t.Run(text, func(t *testing.T) {
			h := newHarness(t)
			body := h.commandBody("U1", text)
			if w := h.serve("/slack/commands", body, nil); w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			first := replyText(h.reply())
			retry := func(r *http.Request) {
				r.Header.Set("X-Slack-Retry-Num", "1")
				r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
			}
			if w := h.serve("/slack/commands", body, retry); w.Code != 200 {
				t.Fatalf("retry: status %d", w.Code)
			}
			h.a.Wait(t.Context())
			if n := len(h.fake.responses); n != 0 {
				t.Fatalf("the retry got %d replies; the first reply (%q) is the only one", n, first)
			}
			if text == "start 1m" && len(h.fake.Posts()) != 1 {
				t.Fatalf("posts=%d, want 1", len(h.fake.Posts()))
			}
			if text == "drill 3" {
				if n := h.db.Count(t, &quiz.Drill{}); n != 1 {
					t.Fatalf("drills=%d, want 1", n)
				}
			}
		})
	}
}

// A redelivered click (same trigger_id) is acknowledged and answered once.
func TestAdapter_RedeliveredClickAnswersOnce(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "start 1m")
	btn := buttons(t, h.fake.Posts()[0].Get("blocks"))
	body := h.clickBody("T1", "U2", btn["B"], false)
	h.serve("/slack/interactions", body, nil)
	wantContains(t, "click", replyText(h.reply()), "Locked in B")
	if w := h.serve("/slack/interactions", body, nil); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	h.a.Wait(t.Context())
	if n := len(h.fake.responses); n != 0 {
		t.Fatalf("redelivery answered %d more times", n)
	}
}

// Issue 13.1: a post that Slack applied but whose answer was lost (500
// after posting) is retried with Retry set; the retry finds the message by
// its metadata key and adopts it: one message in the channel.
func TestAdapter_LostPostAnswerIsAdopted(t *testing.T) {
	h := newHarness(t)
	h.fake.set(func(f *fakeSlack) { f.lostPosts = 1 })
	m := bot.Message{Key: "asyncquiz-round-42", Text: "q"}
	if _, err := h.a.Post(context.Background(), "C1", m); err == nil || errors.Is(err, bot.ErrRejected) {
		t.Fatalf("lost answer: err=%v; want an unknown outcome (not rejected)", err)
	}
	m.Retry = true
	ts, err := h.a.Post(context.Background(), "C1", m)
	if err != nil || ts != "1700000000.000001" {
		t.Fatalf("retry: ts=%q err=%v; want the first message adopted", ts, err)
	}
	if n := len(h.fake.Posts()); n != 1 {
		t.Fatalf("posts=%d, want 1", n)
	}
	h.fake.set(func(f *fakeSlack) {
		if len(f.histCalls) != 1 || f.histCalls[0].Get("include_all_metadata") != "1" || f.histCalls[0].Get("limit") != "100" {
			t.Errorf("conversations.history calls=%v; want one with metadata, limited", f.histCalls)
		}
	})
	if meta := h.fake.Posts()[0].Get("metadata"); !strings.Contains(meta, `"asyncquiz-round-42"`) || !strings.Contains(meta, metadataType) {
		t.Fatalf("metadata=%q", meta)
	}
}

// A retry finds only its own key: another round's message is not adopted,
// and a first attempt never looks.
func TestAdapter_RetryPostsWhenNothingLanded(t *testing.T) {
	h := newHarness(t)
	h.a.Post(context.Background(), "C1", bot.Message{Key: "asyncquiz-round-41", Text: "q"})
	ts, err := h.a.Post(context.Background(), "C1", bot.Message{Key: "asyncquiz-round-42", Text: "q", Retry: true})
	if err != nil || ts != "1700000000.000002" {
		t.Fatalf("ts=%q err=%v; want a new post", ts, err)
	}
	h.fake.set(func(f *fakeSlack) {
		if len(f.histCalls) != 1 {
			t.Errorf("history calls=%d, want 1 (only the retry looks)", len(f.histCalls))
		}
	})
}

// Without a way to look (no history scope, not a member), a retry posts:
// no question at all is worse than a possible second one.
func TestAdapter_RetryPostsWhenItCannotLook(t *testing.T) {
	h := newHarness(t)
	h.fake.set(func(f *fakeSlack) { f.histError = "missing_scope" })
	if _, err := h.a.Post(context.Background(), "C1", bot.Message{Key: "k", Text: "q", Retry: true}); err != nil {
		t.Fatal(err)
	}
	if len(h.fake.Posts()) != 1 || len(h.logs.Lines("Cannot look for an earlier post")) != 1 {
		t.Fatal("want one post and a warning")
	}
}

// Definite refusals are bot.ErrRejected; Slack's own server errors are not.
func TestAdapter_PostRefusalsAreRejected(t *testing.T) {
	for code, want := range map[string]bool{
		"not_in_channel": true, "channel_not_found": true, "is_archived": true, "invalid_blocks": true,
		"internal_error": false, "fatal_error": false, "service_unavailable": false,
	} {
		h := newHarness(t)
		h.fake.set(func(f *fakeSlack) { f.postError = code })
		_, err := h.a.Post(context.Background(), "C1", bot.Message{Text: "q"})
		if err == nil || errors.Is(err, bot.ErrRejected) != want || !strings.Contains(err.Error(), code) {
			t.Errorf("%s: err=%v, rejected want %v", code, err, want)
		}
	}
}

// Issue 13.3: a private reply that fails is retried with backoff until it
// lands; one that keeps failing is given up after Slack's 5 uses, logged
// and counted; a definite refusal (expired_url) is not retried.
func TestAdapter_PrivateRepliesAtLeastOnce(t *testing.T) {
	t.Run("retried until it lands", func(t *testing.T) {
		h := newHarness(t)
		h.fake.set(func(f *fakeSlack) { f.respFail, f.respStatus = 2, http.StatusInternalServerError })
		wantContains(t, "reply", replyText(h.command("U1", "start 1m")), "Round 1 started")
		h.fake.set(func(f *fakeSlack) {
			if f.respTries != 3 {
				t.Errorf("response_url attempts=%d, want 3", f.respTries)
			}
		})
	})
	t.Run("given up after 5 uses", func(t *testing.T) {
		h := newHarness(t)
		before := repliesFailed(t)
		h.fake.set(func(f *fakeSlack) { f.respFail, f.respStatus = 100, http.StatusBadGateway })
		h.serve("/slack/commands", h.commandBody("U1", "leaderboard"), nil)
		h.a.Wait(t.Context())
		h.fake.set(func(f *fakeSlack) {
			if f.respTries != replyUses {
				t.Errorf("attempts=%d, want %d", f.respTries, replyUses)
			}
		})
		if got := repliesFailed(t) - before; got != 1 {
			t.Fatalf("replies_failed grew by %v, want 1", got)
		}
		if n := len(h.logs.Lines("Private reply given up", "HTTP 502")); n != 1 {
			t.Fatalf("%d give-up lines", n)
		}
	})
	t.Run("expired_url is final", func(t *testing.T) {
		h := newHarness(t)
		h.fake.set(func(f *fakeSlack) {
			f.respFail, f.respStatus, f.respBody = 100, http.StatusOK, `{"ok":false,"error":"expired_url"}`
		})
		h.serve("/slack/commands", h.commandBody("U1", "leaderboard"), nil)
		h.a.Wait(t.Context())
		h.fake.set(func(f *fakeSlack) {
			if f.respTries != 1 {
				t.Errorf("attempts=%d, want 1", f.respTries)
			}
		})
	})
}

// Issue 12.6 decision: Slack threads are not channels, and a slash
// command's payload has no thread_ts (typed in a thread, it arrives like
// one typed in the channel), so a round is always a top-level message of
// the channel, never a thread reply, and its clicks are the channel's.
func TestAdapter_RoundIsPostedInTheChannelNotAThread(t *testing.T) {
	h := newHarness(t)
	wantContains(t, "start", replyText(h.command("U1", "start 1m")), "Round 1 started")
	p := h.fake.Posts()[0]
	if p.Get("thread_ts") != "" || p.Get("reply_broadcast") != "" || p.Get("channel") != "C1" {
		t.Fatalf("round posted as %v; want a top-level message of C1", p)
	}
}

// repliesFailed reads asyncquiz_private_replies_failed_total{platform="slack"}.
func repliesFailed(t *testing.T) float64 {
	var m dto.Metric
	if err := metrics.RepliesFailed.WithLabelValues(Name).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
