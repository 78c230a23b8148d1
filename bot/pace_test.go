package bot

import "testing"

func TestPacer_ReservesPerChannelAndGlobally(t *testing.T) {
	p := newPacer(Pace{PerChannel: 1 << 40, PerSecond: 2})
	if d := p.reserve("C1"); d != 0 {
		t.Fatalf("first write in C1 waits %v", d)
	}
	if d := p.reserve("C1"); d <= 0 {
		t.Fatal("a second write in C1 did not wait for the channel's spacing")
	}
	if d := p.reserve("C2"); d != 0 {
		t.Fatalf("C2 waits %v for C1's spacing", d)
	}
	if d := p.reserve("C3"); d <= 0 {
		t.Fatal("a third write in the same instant did not wait for the global bucket (2/s)")
	}
	var none *pacer
	if err := none.wait(t.Context(), "C1"); err != nil {
		t.Fatalf("a platform without limits waits: %v", err)
	}
}
