// Command preview draws a question's round or reveal message, as the Slack
// or Discord adapter renders it, as an SVG mock-up: for reviewing
// questions, and for the README's pictures, which it regenerates:
//
//	go run ./cmd/preview ID [-platform slack|discord] [-reveal] > picture.svg
//	go generate ./cmd/preview   (rewrites docs/*.svg)
//
// It is a tool of its own so the serving binary carries no drawing code.
package main

//go:generate go run . -readme ../../docs

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/asyncquiz/asyncquiz/questions"
)

// readmeQuestion is the question the README pictures show.
const readmeQuestion = "core-gather-does-not-cancel-siblings"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "preview:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platform := fs.String("platform", "slack", "slack or discord")
	reveal := fs.Bool("reveal", false, "draw the reveal (with a sample result) instead of the round")
	readme := fs.String("readme", "", "write the README's four pictures into this folder")
	bankDir := fs.String("bank", "", "a folder of *.yaml files instead of the built-in bank")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var bank *questions.Bank
	var err error
	if *bankDir != "" {
		bank, err = questions.Load(os.DirFS(*bankDir))
	} else {
		bank, err = questions.LoadDefault()
	}
	if err != nil {
		return err
	}
	if *readme != "" {
		for name, svg := range pictures(bank) {
			if err := os.WriteFile(filepath.Join(*readme, name), []byte(svg), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	if fs.NArg() != 1 || (*platform != "slack" && *platform != "discord") {
		return fmt.Errorf("usage: preview ID [-platform slack|discord] [-reveal] > picture.svg")
	}
	q, ok := bank.Get(fs.Arg(0))
	if !ok {
		return fmt.Errorf("no question %q", fs.Arg(0))
	}
	_, err = io.WriteString(stdout, draw(q, *platform, *reveal))
	return err
}

func draw(q *questions.Question, platform string, reveal bool) string {
	var sb strings.Builder
	m := previewMessage(q, reveal)
	if platform == "discord" {
		discordSVG(&sb, m)
	} else {
		slackSVG(&sb, m)
	}
	return sb.String()
}

// pictures are the README's pictures by file name.
func pictures(bank *questions.Bank) map[string]string {
	q, _ := bank.Get(readmeQuestion)
	out := map[string]string{}
	for _, p := range []string{"slack", "discord"} {
		out["round-"+p+".svg"] = draw(q, p, false)
		out["reveal-"+p+".svg"] = draw(q, p, true)
	}
	return out
}
