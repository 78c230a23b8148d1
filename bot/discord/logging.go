package discord

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/bwmarrin/discordgo"
)

// libraryLog is where discordgo's package-wide logger writes. Its default
// prints plain-text lines to stderr, which would break the JSON log; the
// logger is a package variable, so the newest adapter's logger gets it.
var (
	libraryLog     atomic.Pointer[slog.Logger]
	libraryLogOnce sync.Once
)

func routeLibraryLog(log *slog.Logger) {
	libraryLog.Store(log.With("library", "discordgo"))
	libraryLogOnce.Do(func() {
		discordgo.Logger = func(level, _ int, format string, a ...any) {
			l := libraryLog.Load()
			lvl := slog.LevelDebug
			switch level {
			case discordgo.LogError:
				lvl = slog.LevelError
			case discordgo.LogWarning:
				lvl = slog.LevelWarn
			case discordgo.LogInformational:
				lvl = slog.LevelInfo
			}
			if l.Enabled(context.Background(), lvl) {
				l.Log(context.Background(), lvl, fmt.Sprintf(format, a...))
			}
		}
	})
}
