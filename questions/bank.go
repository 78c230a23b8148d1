package questions

import (
	"embed"
	"io/fs"
	"strings"
)

//go:embed *.yaml
var embedded embed.FS

// Embedded returns the bank files compiled into the binary.
func Embedded() fs.FS { return embeddedAll{} }

// embeddedAll serves the questions and the tips as one tree.
type embeddedAll struct{}

func (embeddedAll) Open(name string) (fs.File, error) {
	if strings.HasPrefix(name, "tips/") || name == "tips" {
		return embeddedTips.Open(name)
	}
	return embedded.Open(name)
}

// Bank is a loaded and validated set of questions.
type Bank struct {
	Questions []*Question    // in file order
	Tips      map[string]Tip // by tag: advice for a concept, proven like a question
	byID      map[string]*Question
}

// NewBank indexes qs. It does not validate them; Load does.
func NewBank(qs []*Question) *Bank {
	b := &Bank{Questions: qs, Tips: map[string]Tip{}, byID: make(map[string]*Question, len(qs))}
	for _, q := range qs {
		b.byID[q.ID] = q
	}
	return b
}

// Get returns the question with id.
func (b *Bank) Get(id string) (*Question, bool) {
	q, ok := b.byID[id]
	return q, ok
}

// Filter returns the questions of category (empty or "mixed" for all) and
// difficulty (0 for any).
func (b *Bank) Filter(category string, difficulty int) []*Question {
	var out []*Question
	for _, q := range b.Questions {
		if category != "" && category != "mixed" && q.Category != category {
			continue
		}
		if difficulty != 0 && q.Difficulty != difficulty {
			continue
		}
		out = append(out, q)
	}
	return out
}

// LoadDefault loads the embedded bank plus the *.yaml files in extraDirs.
func LoadDefault(extraDirs ...string) (*Bank, error) {
	return Load(Embedded(), extraDirs...)
}
