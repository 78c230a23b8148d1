package discord

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// interaction is one decoded interaction with the fields discordgo's type
// lacks: the partial channel it came from (a thread, a DM).
type interaction struct {
	*discordgo.Interaction
	Channel *partialChannel
}

type partialChannel struct {
	ID             string                `json:"id"`
	Type           discordgo.ChannelType `json:"type"`
	ThreadMetadata *struct {
		Archived bool `json:"archived"`
		Locked   bool `json:"locked"`
	} `json:"thread_metadata"`
}

// isThread reports whether the interaction came from a thread (or a forum
// post, which is a thread too).
func (i *interaction) isThread() bool {
	if i.Channel == nil {
		return false
	}
	switch i.Channel.Type {
	case discordgo.ChannelTypeGuildNewsThread, discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread:
		return true
	}
	return false
}

var errUnsupported = errors.New("unsupported interaction type")

// decode parses an interaction from Discord (HTTP body or gateway
// dispatch). It never panics, and it refuses a shape the handlers cannot
// read, so they need not check again: a command carries command data, a
// click carries component data and the message it was on, a form's
// submission carries its data.
func decode(raw []byte) (*interaction, error) {
	var i discordgo.Interaction
	if err := json.Unmarshal(raw, &i); err != nil {
		return nil, fmt.Errorf("malformed interaction: %w", err)
	}
	var extra struct {
		Channel *partialChannel `json:"channel"`
	}
	if err := json.Unmarshal(raw, &extra); err != nil {
		return nil, fmt.Errorf("malformed interaction channel: %w", err)
	}
	switch i.Type {
	case discordgo.InteractionPing:
	case discordgo.InteractionApplicationCommand:
		if _, ok := i.Data.(discordgo.ApplicationCommandInteractionData); !ok {
			return nil, errors.New("command without data")
		}
	case discordgo.InteractionMessageComponent:
		if _, ok := i.Data.(discordgo.MessageComponentInteractionData); !ok {
			return nil, errors.New("click without data")
		}
	case discordgo.InteractionModalSubmit:
		if _, ok := i.Data.(discordgo.ModalSubmitInteractionData); !ok {
			return nil, errors.New("form without data")
		}
	default:
		return nil, errUnsupported
	}
	if i.Member != nil && i.Member.User == nil {
		i.Member = nil // a member without its user says nothing about who acted
	}
	return &interaction{Interaction: &i, Channel: extra.Channel}, nil
}

// commandOptions reads the one subcommand of /asyncquiz and its options as
// text for bot.ParseOptions, checking each value against the type the
// grammar registered. Stale registrations and API clients can send
// anything; problem is then the private reply, with the right form.
func commandOptions(data discordgo.ApplicationCommandInteractionData) (sub string, opts map[string]string, problem string) {
	if len(data.Options) != 1 || data.Options[0] == nil || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return "", nil, "Use /asyncquiz with a subcommand, for example /asyncquiz start. Try /asyncquiz help."
	}
	s := data.Options[0]
	g, ok := subcommand(s.Name)
	if !ok {
		return s.Name, nil, "" // bot.ParseOptions names the closest subcommand
	}
	opts = map[string]string{}
	for _, o := range s.Options {
		if o == nil {
			return "", nil, usage(g, "An option is empty.")
		}
		name := strings.ToLower(o.Name)
		if _, dup := opts[name]; dup {
			return "", nil, usage(g, fmt.Sprintf("The %s option is given twice.", clip(o.Name)))
		}
		spec, known := grammarOption(g, name)
		if !known {
			opts[name] = "?" // bot.ParseOptions lists the options it takes
			continue
		}
		v, err := optionValue(o, spec)
		if err != nil {
			return "", nil, usage(g, err.Error())
		}
		if spec.Kind == bot.KindUser {
			v = mention(v, data.Resolved)
		}
		opts[name] = v
	}
	return s.Name, opts, ""
}

// optionValue is an option's value as text, when its type and value are
// the ones registered for spec's kind.
func optionValue(o *discordgo.ApplicationCommandInteractionDataOption, spec bot.Option) (string, error) {
	want := option(spec).Type
	if o.Type != want || len(o.Options) > 0 {
		return "", fmt.Errorf("The %s option must be %s.", spec.Name, kindName(spec))
	}
	switch v := o.Value.(type) {
	case nil:
		return "", fmt.Errorf("The %s option has no value; it must be %s.", spec.Name, kindName(spec))
	case string:
		if want == discordgo.ApplicationCommandOptionString || (want == discordgo.ApplicationCommandOptionUser && isSnowflake(v)) {
			return v, nil
		}
	case float64:
		// JSON numbers arrive as float64: a whole number within int range.
		if want == discordgo.ApplicationCommandOptionInteger && v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.FormatInt(int64(v), 10), nil
		}
	case bool:
		if want == discordgo.ApplicationCommandOptionBoolean {
			if v {
				return "true", nil
			}
			return "", nil // an unset flag
		}
	}
	return "", fmt.Errorf("The %s option must be %s.", spec.Name, kindName(spec))
}

func kindName(o bot.Option) string {
	switch o.Kind {
	case bot.KindDuration:
		return "a duration such as 30s, 10m or 2h"
	case bot.KindClock:
		return "a time of day as HH:MM"
	case bot.KindZone:
		return "a time zone such as Europe/Berlin"
	case bot.KindDays:
		return "days such as weekdays or mon,wed,fri"
	case bot.KindInt:
		return fmt.Sprintf("a whole number from %d to %d", o.Min, o.Max)
	case bot.KindFlag:
		return "true or false"
	case bot.KindChoice:
		return "one of " + strings.Join(o.Choices(), ", ")
	case bot.KindUser:
		return "a member of this server"
	}
	return "text"
}

func subcommand(name string) (bot.Subcommand, bool) {
	for _, s := range bot.Grammar() {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return bot.Subcommand{}, false
}

func grammarOption(s bot.Subcommand, name string) (bot.Option, bool) {
	for _, o := range s.Options {
		if strings.EqualFold(o.Name, name) {
			return o, true
		}
	}
	return bot.Option{}, false
}

// usage adds the subcommand's right form, as the bot's own errors do.
func usage(s bot.Subcommand, msg string) string {
	return fmt.Sprintf("%s\nUsage: %s   e.g. %s", msg, s.Usage(), s.Example)
}

// clip keeps echoes of what was sent short.
func clip(s string) string {
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return s
}

// mention is a user option's value in the grammar's mention form, with the
// name Discord resolved for it.
func mention(id string, r *discordgo.ApplicationCommandInteractionDataResolved) string {
	name := ""
	if r != nil {
		if m, ok := r.Members[id]; ok && m != nil && m.Nick != "" {
			name = m.Nick
		} else if u, ok := r.Users[id]; ok && u != nil {
			name = u.Username
			if u.GlobalName != "" {
				name = u.GlobalName
			}
		}
	}
	name = strings.Map(func(r rune) rune {
		if r == '<' || r == '>' || r == '|' {
			return -1
		}
		return r
	}, name)
	if name == "" {
		return "<@" + id + ">"
	}
	return "<@" + id + "|" + name + ">"
}

// isSnowflake reports whether s is a Discord id.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
