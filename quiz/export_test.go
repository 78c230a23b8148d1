package quiz

import (
	"context"

	"github.com/go-gormigrate/gormigrate/v2"
)

// What the package's external tests reach for.

// ItemHistogramsBackfill is the SQL step 202612010011 fills item_times,
// item_bands and accuracy_bands with from the revealed answers and the
// scores (the benchmarks seed with it).
var ItemHistogramsBackfill = []string{itemTimesBackfillV10, itemBandsBackfillV10, accuracyBandsBackfillV10}

// RollbackTo undoes the migrations after id (tests of a backfill: roll
// back, then Open applies the step again to the data already there).
func RollbackTo(ctx context.Context, dsn, id string) error {
	db, err := connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer closeDB(db)
	return runMigrations(ctx, db, func(m *gormigrate.Gormigrate) error { return m.RollbackTo(id) })
}
