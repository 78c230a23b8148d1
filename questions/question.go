package questions

import "strings"

// Categories lists the bank's categories in teaching order. "mixed" is a
// quiz mode that draws from all of them, not a category.
var Categories = []string{"basics", "core", "intermediate", "advanced", "real-world"}

// Kinds lists the question kinds and how verify proves each (see README.md).
var Kinds = []string{"concept", "output", "error", "timing"}

// Option is one answer choice. Why is required on every wrong option.
type Option struct {
	Text string `yaml:"text"`
	Why  string `yaml:"why"`
}

// Question is one quiz question as written in a bank file.
type Question struct {
	ID          string   `yaml:"id"`
	Category    string   `yaml:"category"`
	Difficulty  int      `yaml:"difficulty"`
	Tags        []string `yaml:"tags"`
	Python      string   `yaml:"python"`
	Until       string   `yaml:"until"`
	Kind        string   `yaml:"kind"`
	Prompt      string   `yaml:"prompt"`
	Code        string   `yaml:"code"`
	Options     []Option `yaml:"options"`
	Answer      string   `yaml:"answer"`
	Explanation string   `yaml:"explanation"`
	Check       string   `yaml:"check"`
	// Shuffle false keeps the file's order on screen; only for questions
	// whose options refer to each other by position ("both A and B").
	Shuffle *bool `yaml:"shuffle"`
	// HangsAfter is how long (seconds) verify lets the program run when the
	// answer is "It hangs": it must still be running then.
	HangsAfter float64 `yaml:"hangs_after"`

	// File and Line locate the question for error messages.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
}

// Letter returns the option letter for index i (0 -> "A").
func Letter(i int) string { return string(rune('A' + i)) }

// Index returns the option index of a letter ("b" -> 1), or -1 when the
// letter is not an option of q.
func (q *Question) Index(letter string) int {
	letter = strings.ToUpper(strings.TrimSpace(letter))
	if len(letter) != 1 {
		return -1
	}
	i := int(letter[0]) - 'A'
	if i < 0 || i >= len(q.Options) {
		return -1
	}
	return i
}

// AnswerIndex returns the index of the correct option.
func (q *Question) AnswerIndex() int { return q.Index(q.Answer) }

// IsCorrect reports whether letter names the correct option.
func (q *Question) IsCorrect(letter string) bool {
	i := q.Index(letter)
	return i >= 0 && i == q.AnswerIndex()
}

// DifficultyName returns easy, medium or hard.
func DifficultyName(d int) string {
	switch d {
	case 1:
		return "easy"
	case 2:
		return "medium"
	case 3:
		return "hard"
	}
	return "unknown"
}

// ParseDifficulty reads easy, medium or hard (or 1, 2, 3), in any case; it
// returns 0 for anything else.
func ParseDifficulty(s string) int {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "easy", "1":
		return 1
	case "medium", "2":
		return 2
	case "hard", "3":
		return 3
	}
	return 0
}
