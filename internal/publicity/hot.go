package publicity

import (
	"context"
	"time"

	"onestop/internal/catalogue"
	"onestop/internal/store"
)

// HotWindow is how far back "hot" looks: what people applied for in the
// last month.
const HotWindow = 30 * 24 * time.Hour

// Hot is an item and how many cases were opened for it lately.
type Hot struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Cases int    `json:"cases"`
}

// HotItems are the items in force with the most cases received in the last
// HotWindow, most first. One grouped query over the cases_received index;
// the portal caches the answer for a few minutes.
func HotItems(ctx context.Context, db *store.DB, now time.Time, limit int) ([]Hot, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT i.code, v.name, h.n FROM
		(SELECT item_id, COUNT(*) AS n FROM cases WHERE received_at >= $1 GROUP BY item_id) h
		JOIN items i ON i.id = h.item_id JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
		WHERE i.status = $2 ORDER BY h.n DESC, i.code LIMIT $3`, now.Add(-HotWindow).UTC(), catalogue.InForce, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hot
	for rows.Next() {
		var h Hot
		if err := rows.Scan(&h.Code, &h.Name, &h.Cases); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
