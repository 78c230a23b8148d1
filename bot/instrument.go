package bot

import (
	"context"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
)

// instrumented times every call the bot makes to a platform.
type instrumented struct {
	name string
	p    Platform
}

func (i instrumented) Post(ctx context.Context, channel string, m Message) (string, error) {
	start := time.Now()
	ref, err := i.p.Post(ctx, channel, m)
	metrics.ObserveAPI(i.name, "post", start, err)
	return ref, err
}

func (i instrumented) Edit(ctx context.Context, channel, ref string, m Message) error {
	start := time.Now()
	err := i.p.Edit(ctx, channel, ref, m)
	metrics.ObserveAPI(i.name, "edit", start, err)
	return err
}
