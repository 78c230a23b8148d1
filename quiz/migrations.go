package quiz

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations lists the schema changes in order. IDs are never renamed.
//
// Additive changes use AutoMigrate on the current models, which only creates
// what is missing: a fresh database gets the whole schema in the first step
// and the later steps are no-ops there. A change AutoMigrate cannot express
// (a drop, a rename, a data fix) gets explicit SQL in its own step.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202611240001_init",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&Round{}, &Answer{}, &Attempt{}, &RedoItem{}, &Drill{}, &DrillItem{})
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable(&DrillItem{}, &Drill{}, &RedoItem{}, &Attempt{}, &Answer{}, &Round{})
			},
		},
		{
			ID: "202611240002_schedules",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&Schedule{}, &Round{})
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable(&Schedule{})
			},
		},
		{
			// Shuffled options: the order a round or drill card showed.
			// Existing rows keep '' (the file's order), which they used.
			ID: "202612010001_option_order",
			Migrate: func(tx *gorm.DB) error {
				for _, table := range []string{"rounds", "drill_items"} {
					if tx.Migrator().HasColumn(table, "option_order") {
						continue // a fresh database got it from AutoMigrate above
					}
					if err := tx.Exec("ALTER TABLE " + table + " ADD COLUMN option_order varchar(5) NOT NULL DEFAULT ''").Error; err != nil {
						return err
					}
				}
				return nil
			},
			Rollback: func(tx *gorm.DB) error {
				for _, table := range []string{"rounds", "drill_items"} {
					if err := tx.Exec("ALTER TABLE " + table + " DROP COLUMN option_order").Error; err != nil {
						return err
					}
				}
				return nil
			},
		},
	}
}
