// Package bot is the platform-neutral asyncquiz bot. It parses /asyncquiz
// commands, turns commands and clicks into quiz calls, and renders neutral
// Messages that each adapter (Slack, Discord, the terminal) draws in its own
// way. It declares the Platform interface the adapters implement.
package bot
