// Package metrics holds asyncquiz's Prometheus metrics. Collectors are
// package variables on their own registry, as is usual for Prometheus, so
// any package can count without plumbing; /metrics serves Registry.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every asyncquiz metric plus the Go and process collectors.
var Registry = prometheus.NewRegistry()

var (
	// RoundsOpened counts rounds opened, by platform and how (start, daily).
	RoundsOpened = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_rounds_opened_total", Help: "Rounds opened, by platform and trigger (start, daily).",
	}, []string{"platform", "trigger"})
	// RoundsRevealed counts reveals that reached the platform.
	RoundsRevealed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_rounds_revealed_total", Help: "Rounds revealed, by platform.",
	}, []string{"platform"})
	// AnswersRecorded counts first answers stored (not repeated clicks).
	AnswersRecorded = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_answers_recorded_total", Help: "Round answers recorded, by platform and mode (round, drill, redo).",
	}, []string{"platform", "mode"})
	// RevealLateness is how long after its deadline a round was revealed.
	RevealLateness = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "asyncquiz_reveal_lateness_seconds",
		Help:    "Seconds between a round's deadline and its reveal.",
		Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300},
	}, []string{"platform"})
	// APICalls counts calls to a platform's API by method and outcome.
	APICalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_platform_api_calls_total", Help: "Platform API calls, by platform, method and outcome (ok, error, ratelimited).",
	}, []string{"platform", "method", "outcome"})
	// APILatency is the latency of platform API calls.
	APILatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "asyncquiz_platform_api_duration_seconds", Help: "Platform API call latency, by platform and method.",
		Buckets: prometheus.DefBuckets,
	}, []string{"platform", "method"})
	// AckLatency is how long the bot took to answer a platform request.
	AckLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "asyncquiz_ack_duration_seconds",
		Help:    "Time to answer an HTTP request, by route and status; the platforms' routes must answer within 3 s.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5},
	}, []string{"route", "code"})
	// Retries counts retried posts and reveals.
	Retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_retries_total", Help: "Retries of failed work, by kind (post, reveal).",
	}, []string{"kind"})
	// RateLimitWaits counts waits for a platform rate limit.
	RateLimitWaits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_rate_limit_waits_total", Help: "Times a platform rate limit made us wait, by platform.",
	}, []string{"platform"})
	// TransportConnected is 1 while a connection an adapter keeps open
	// (Socket Mode, the Discord gateway) is up.
	TransportConnected = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "asyncquiz_transport_connected", Help: "1 while a platform connection (Socket Mode, gateway) is up, else 0.",
	}, []string{"platform", "transport"})
	// RepliesFailed counts private replies given up after their retries.
	RepliesFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_private_replies_failed_total", Help: "Private replies that could not be delivered within the platform's validity window, by platform.",
	}, []string{"platform"})
	// RateLimitWaitSeconds sums the time spent waiting for rate limits.
	RateLimitWaitSeconds = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "asyncquiz_rate_limit_wait_seconds_total", Help: "Seconds spent waiting for platform rate limits, by platform.",
	}, []string{"platform"})
)

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		RoundsOpened, RoundsRevealed, AnswersRecorded, RevealLateness, APICalls, APILatency, AckLatency,
		Retries, RateLimitWaits, RateLimitWaitSeconds, TransportConnected, RepliesFailed)
}

// Handler serves the metrics in the Prometheus text format.
func Handler() http.Handler { return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{}) }

// ObserveAPI records one platform API call.
func ObserveAPI(platform, method string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	APICalls.WithLabelValues(platform, method, outcome).Inc()
	APILatency.WithLabelValues(platform, method).Observe(time.Since(start).Seconds())
}

// ObserveRateLimit records a wait of d for a platform's rate limit.
func ObserveRateLimit(platform string, d time.Duration) {
	RateLimitWaits.WithLabelValues(platform).Inc()
	RateLimitWaitSeconds.WithLabelValues(platform).Add(d.Seconds())
}

// Middleware times every request and labels it with the route pattern the
// mux matched, so the platforms' routes show their acknowledgement latency.
func Middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		route := r.Pattern // set by http.ServeMux while routing
		if route == "" {
			route = "unmatched"
		}
		AckLatency.WithLabelValues(route, strconv.Itoa(rec.code)).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}
