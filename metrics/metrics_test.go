package metrics_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
)

func scrape(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestMiddleware_LabelsRoute(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	metrics.Middleware(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/slack/commands", nil))
	if out := scrape(t); !strings.Contains(out, `asyncquiz_ack_duration_seconds_count{code="401",route="POST /slack/commands"} 1`) {
		t.Fatalf("no ack latency for the route:\n%s", out)
	}
}

func TestObserveAPI(t *testing.T) {
	metrics.ObserveAPI("slack", "post", time.Now(), nil)
	metrics.ObserveAPI("slack", "post", time.Now(), errors.New("boom"))
	metrics.ObserveRateLimit("discord", 2*time.Second)
	out := scrape(t)
	for _, want := range []string{
		`asyncquiz_platform_api_calls_total{method="post",outcome="ok",platform="slack"} 1`,
		`asyncquiz_platform_api_calls_total{method="post",outcome="error",platform="slack"} 1`,
		`asyncquiz_rate_limit_wait_seconds_total{platform="discord"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
}
