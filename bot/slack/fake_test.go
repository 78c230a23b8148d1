package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// fakeSlack speaks the Slack Web API methods the adapter calls, plus the
// response_url endpoint and Socket Mode (socketfake_test.go), and records
// every call.
type fakeSlack struct {
	t         *testing.T
	srv       *httptest.Server
	mu        sync.Mutex
	posts     []url.Values
	updates   []url.Values
	responses chan map[string]any
	rateLimit int // answer this many chat.postMessage calls with 429 first
	admins    map[string]bool

	auth       string // auth.test's answer (JSON fields after "ok":true), or an error code
	authCalls  int
	lostPosts  int    // apply this many posts, then answer 500 as if the answer was lost
	postError  string // answer chat.postMessage with ok:false and this error
	histError  string // answer conversations.history with ok:false and this error
	histCalls  []url.Values
	respFail   int // answer this many response_url posts with respStatus first
	respStatus int
	respBody   string // body of those failures
	respTries  int    // every response_url post, failed or not

	views     []map[string]any  // views.open bodies: trigger_id, view
	viewError string            // answer views.open with ok:false and this error
	dmOpens   []url.Values      // conversations.open calls
	dmError   map[string]string // user -> conversations.open's ok:false error
	dmPostErr map[string]string // DM channel -> chat.postMessage's ok:false error

	sm *socketFake
}

const authWorkspace = `"team_id":"T1","team":"Acme","user_id":"UBOT","bot_id":"B1","is_enterprise_install":false`

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, responses: make(chan map[string]any, 100), admins: map[string]bool{}, auth: authWorkspace,
		dmError: map[string]string{}, dmPostErr: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth.test", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.authCalls++
		if r.Header.Get("Authorization") != "Bearer xoxb-test" {
			io.WriteString(w, `{"ok":false,"error":"not_authed"}`)
			return
		}
		if !strings.Contains(f.auth, ":") {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.auth)
			return
		}
		fmt.Fprintf(w, `{"ok":true,%s}`, f.auth)
	})
	mux.HandleFunc("POST /api/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.rateLimit > 0 {
			f.rateLimit--
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if f.postError != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.postError)
			return
		}
		if e := f.dmPostErr[r.PostForm.Get("channel")]; e != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, e)
			return
		}
		f.posts = append(f.posts, r.PostForm)
		if f.lostPosts > 0 {
			f.lostPosts--
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "<html><body><h1>500 Internal Server Error</h1>upstream reset</body></html>")
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), len(f.posts))
	})
	mux.HandleFunc("POST /api/conversations.history", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.histCalls = append(f.histCalls, r.PostForm)
		if f.histError != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.histError)
			return
		}
		limit, _ := strconv.Atoi(r.PostForm.Get("limit"))
		var msgs []map[string]any
		for i := len(f.posts) - 1; i >= 0 && len(msgs) < limit; i-- {
			p := f.posts[i]
			if p.Get("channel") != r.PostForm.Get("channel") {
				continue
			}
			m := map[string]any{"type": "message", "ts": fmt.Sprintf("1700000000.%06d", i+1), "bot_id": "B1", "text": p.Get("text")}
			if meta := p.Get("metadata"); meta != "" && r.PostForm.Get("include_all_metadata") == "1" {
				m["metadata"] = json.RawMessage(meta)
			}
			msgs = append(msgs, m)
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": msgs, "has_more": false})
	})
	mux.HandleFunc("POST /api/chat.update", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.updates = append(f.updates, r.PostForm)
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.PostForm.Get("channel"), r.PostForm.Get("ts"))
	})
	mux.HandleFunc("POST /api/users.info", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id := r.PostForm.Get("user")
		f.mu.Lock()
		admin := f.admins[id]
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"is_admin":%v}}`, id, admin)
	})
	// views.open takes JSON with the bot token as a bearer token; the view
	// is a JSON object.
	mux.HandleFunc("POST /api/views.open", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Header.Get("Authorization") != "Bearer xoxb-test" {
			io.WriteString(w, `{"ok":false,"error":"invalid_arguments"}`)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.views = append(f.views, body)
		if f.viewError != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.viewError)
			return
		}
		view, _ := json.Marshal(body["view"])
		fmt.Fprintf(w, `{"ok":true,"view":%s}`, strings.Replace(string(view), "{", fmt.Sprintf(`{"id":"V%d","hash":"h1",`, len(f.views)), 1))
	})
	// conversations.open with users=U answers the app's DM with U.
	mux.HandleFunc("POST /api/conversations.open", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.dmOpens = append(f.dmOpens, r.PostForm)
		user := r.PostForm.Get("users")
		if e := f.dmError[user]; e != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, e)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, user)
	})
	mux.HandleFunc("POST /response/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("response_url body: %v", err)
		}
		f.mu.Lock()
		f.respTries++
		if f.respFail > 0 {
			f.respFail--
			f.mu.Unlock()
			w.WriteHeader(f.respStatus)
			io.WriteString(w, f.respBody)
			return
		}
		f.mu.Unlock()
		body["_url"] = r.PathValue("id")
		f.responses <- body
		io.WriteString(w, "ok")
	})
	f.sm = newSocketFake(t, f, mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) Posts() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.posts...)
}

func (f *fakeSlack) Updates() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.updates...)
}

func (f *fakeSlack) set(fn func(f *fakeSlack)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeSlack) Views() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.views...)
}

func (f *fakeSlack) DMOpens() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.dmOpens...)
}
