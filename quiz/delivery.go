package quiz

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// FirstDelivery records a platform request id and reports whether this is
// its first delivery. Platforms redeliver requests they think were lost
// (Slack's X-Slack-Retry-Num, a gateway replay); only the first may act,
// on any replica.
func (s *Store) FirstDelivery(ctx context.Context, platform, id string) (bool, error) {
	if len(id) > 128 {
		id = id[:128]
	}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Delivery{Platform: platform, ID: id, CreatedAt: s.Now()})
	if res.Error != nil {
		return false, fmt.Errorf("record delivery: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// DeliveryMemory is how long delivery ids are kept: platforms redeliver
// within minutes.
const DeliveryMemory = 24 * time.Hour

// PruneDeliveries forgets delivery ids older than DeliveryMemory.
func (s *Store) PruneDeliveries(ctx context.Context) error {
	err := s.db.WithContext(ctx).Where("created_at < ?", s.Now().Add(-DeliveryMemory)).Delete(&Delivery{}).Error
	if err != nil {
		return fmt.Errorf("prune deliveries: %w", err)
	}
	return nil
}
