package catalogue

import (
	"context"
	"strings"

	"onestop/internal/store"
)

// compositeSearchLimit bounds the bundles one search answers: a county
// has a handful of composites, and a result list beside the items'.
const compositeSearchLimit = 20

// compositeSearchWords bounds the words of one query: each is a LIKE, and
// a query of thousands of words is nobody's search.
const compositeSearchWords = 8

// FindComposites lists the composites in force whose code, name or one
// of whose parts' names holds every word of q, as List finds items, so an
// applicant finds a bundle (一件事) through the public search like any
// item (issue 14 §1). Retired composites are never found; an empty q
// finds nothing (no value never means all).
func (s *Service) FindComposites(ctx context.Context, q string) ([]Composite, error) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return []Composite{}, nil
	}
	var w store.Where
	w.Add("c.retired_at IS NULL")
	for i, word := range words {
		if i == compositeSearchWords {
			break
		}
		if len([]rune(word)) > 50 {
			word = string([]rune(word)[:50])
		}
		like := store.Contains(word)
		w.Add(`(LOWER(c.code || ' ' || c.name) LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM composite_items ci JOIN items i ON i.id = ci.item_id
			WHERE ci.composite_id = c.id AND LOWER(i.name) LIKE ? ESCAPE '\'))`, like, like)
	}
	query := "SELECT c.code FROM composites c" + w.String() + " ORDER BY c.code LIMIT " + w.Bind(compositeSearchLimit)
	return s.compositesBy(ctx, query, w.Args()...)
}
