package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// The module's layering, checked on what each package imports (its
// non-test code): GORM only in quiz and its test kit, cron only in
// schedule, adapters knowing only bot, and quiz knowing no chat package.
func TestImports_Layering(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/asyncquiz/asyncquiz/"
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		pkg := strings.TrimPrefix(p.ImportPath, mod)
		for _, imp := range p.Imports {
			local := strings.TrimPrefix(imp, mod)
			switch {
			case strings.HasPrefix(imp, "gorm.io/") && pkg != "quiz" && pkg != "quiz/quiztest":
				t.Errorf("%s imports %s: the database belongs to quiz", pkg, imp)
			case strings.HasPrefix(imp, "github.com/robfig/cron") && pkg != "schedule":
				t.Errorf("%s imports %s: timing belongs to schedule", pkg, imp)
			case isAdapter(pkg) && (local == "quiz" || local == "questions" || local == "schedule"):
				t.Errorf("adapter %s imports %s: adapters know only bot", pkg, local)
			case pkg == "quiz" && (strings.HasPrefix(local, "bot") || local == "schedule"):
				t.Errorf("quiz imports %s: the domain knows no chat", local)
			case local != imp && isAdapter(local) && !strings.HasPrefix(pkg, "cmd/"):
				t.Errorf("%s imports adapter %s: only commands wire adapters", pkg, local)
			}
		}
	}
	if seen < 8 {
		t.Fatalf("go list saw %d packages; the test is not looking at the module", seen)
	}
}

func isAdapter(pkg string) bool {
	return pkg == "bot/slack" || pkg == "bot/discord" || pkg == "bot/console"
}
