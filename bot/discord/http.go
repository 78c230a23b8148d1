package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

const (
	maxBody = 64 << 10
	// replayWindow refuses signed requests whose timestamp is too far from now.
	replayWindow = 5 * time.Minute
)

// Routes registers the interactions endpoint on mux.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /discord/interactions", a.handleHTTP)
}

// verify checks Discord's Ed25519 signature over timestamp + body, and that
// the timestamp is within the replay window.
func (a *Adapter) verify(sigHex, ts string, body []byte) error {
	if sigHex == "" || ts == "" {
		return fmt.Errorf("missing signature headers")
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("malformed signature")
	}
	if len(a.pub) != ed25519.PublicKeySize || !ed25519.Verify(a.pub, append([]byte(ts), body...), sig) {
		return fmt.Errorf("bad signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("malformed timestamp")
	}
	if d := a.now().Sub(time.Unix(sec, 0)); d > replayWindow || d < -replayWindow {
		return fmt.Errorf("timestamp outside the replay window")
	}
	return nil
}

func (a *Adapter) handleHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := a.verify(r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body); err != nil {
		a.log.Warn("Refused an unsigned or badly signed interaction", "reason", err.Error())
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	i, err := decode(body)
	if errors.Is(err, errUnsupported) {
		http.Error(w, "unsupported interaction type", http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	resp, follow := a.handle(i, viaHTTP)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
	if follow != nil {
		a.background(follow)
	}
}
