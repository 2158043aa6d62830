// Package checkpoint writes, publishes and checks the daily signed
// checkpoints over the case record. Each Asia/Shanghai calendar day gets
// one checkpoint: the number of events of the day, the Merkle root over
// their hashes, and the digest of the previous day's checkpoint, signed
// with the installation's Ed25519 key. Anyone who kept a published
// checkpoint can later show that no event of that day or before was
// deleted, added, reordered or rewritten — even by someone holding the
// database, who can recompute the unkeyed hash chains but not make the
// published roots match again.
package checkpoint

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Checkpoint is one day's signed checkpoint as it is published.
type Checkpoint struct {
	Day    string `json:"day"`
	Events int64  `json:"events"`
	Root   string `json:"root"`
	// Prev is the SHA-256 of the previous day's statement ("" for the
	// first day), so the checkpoints form a chain: a day deleted or
	// rewritten breaks the link of the day after it.
	Prev      string    `json:"prev"`
	KeyID     string    `json:"key_id"`
	Signature string    `json:"signature"`
	Statement string    `json:"statement"`
	CreatedAt time.Time `json:"created_at"`
}

// statement is the exact text the key signs.
func (c Checkpoint) statement() string {
	return fmt.Sprintf("onestop-checkpoint/1\nday %s\nevents %d\nroot %s\nprev %s\n", c.Day, c.Events, c.Root, c.Prev)
}

// Digest is the SHA-256 of the statement: what the next day's Prev holds.
func (c Checkpoint) Digest() string {
	h := sha256.Sum256([]byte(c.statement()))
	return hex.EncodeToString(h[:])
}

// sign fills in the key id, signature and statement.
func (c *Checkpoint) sign(k *Key) {
	c.Statement = c.statement()
	c.KeyID = k.ID
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(k.Private, []byte(c.Statement)))
}

// checkSignature reports whether the checkpoint's fields are what its key
// signed.
func (c Checkpoint) checkSignature(keys map[string]ed25519.PublicKey) string {
	pub, ok := keys[c.KeyID]
	if !ok {
		return fmt.Sprintf("signed with key %q, which is not among the known public keys", c.KeyID)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, []byte(c.statement()), sig) {
		return "the signature does not match the checkpoint's day, events, root and prev (forged or altered)"
	}
	return ""
}

// Service writes and reads checkpoints.
type Service struct {
	DB *store.DB
	// Key signs; nil for a process that only reads.
	Key *Key
	Now func() time.Time
	// Grace is how long after midnight a day is left open, for
	// transactions that took their time before committing.
	Grace time.Duration
}

// PublicKey is a key that has signed checkpoints.
type PublicKey struct {
	KeyID     string    `json:"key_id"`
	Algorithm string    `json:"algorithm"`
	PublicKey string    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
}

// RegisterKey records the signing key's public half, once.
func (s *Service) RegisterKey(ctx context.Context) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO checkpoint_keys (key_id, public_key, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (key_id) DO NOTHING`, s.Key.ID, EncodePublic(s.Key.Public), s.Now().UTC())
	if err != nil {
		return fmt.Errorf("register checkpoint key: %w", err)
	}
	return nil
}

// Keys returns every public key that has signed, oldest first.
func (s *Service) Keys(ctx context.Context) ([]PublicKey, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT key_id, public_key, created_at FROM checkpoint_keys ORDER BY created_at, key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PublicKey
	for rows.Next() {
		k := PublicKey{Algorithm: "Ed25519"}
		if err := rows.Scan(&k.KeyID, &k.PublicKey, &k.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// KeyMap turns published keys into the map the checks take; keys that do
// not decode are left out (their checkpoints then fail as unknown).
func KeyMap(keys []PublicKey) map[string]ed25519.PublicKey {
	m := map[string]ed25519.PublicKey{}
	for _, k := range keys {
		if pub, err := DecodePublic(k.PublicKey); err == nil && KeyID(pub) == k.KeyID {
			m[k.KeyID] = pub
		}
	}
	return m
}

const cols = `day, events, root, prev, key_id, signature, created_at`

func scan(row interface{ Scan(...any) error }) (Checkpoint, error) {
	var c Checkpoint
	err := row.Scan(&c.Day, &c.Events, &c.Root, &c.Prev, &c.KeyID, &c.Signature, &c.CreatedAt)
	c.Statement = c.statement()
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// List returns the checkpoints of the days from..to (either may be zero:
// open), oldest first, a page at a time, with the total.
func (s *Service) List(ctx context.Context, from, to calendar.Date, limit, offset int) ([]Checkpoint, int, error) {
	lo, hi := "0000-00-00", "9999-99-99"
	if !from.IsZero() {
		lo = from.String()
	}
	if !to.IsZero() {
		hi = to.String()
	}
	q := s.DB.Read()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM checkpoints WHERE day >= $1 AND day <= $2`, lo, hi).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM checkpoints WHERE day >= $1 AND day <= $2 ORDER BY day LIMIT $3 OFFSET $4`, lo, hi, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Checkpoint{}
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// last returns the latest checkpoint, or nil.
func (s *Service) last(ctx context.Context, q store.Querier) (*Checkpoint, error) {
	c, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM checkpoints ORDER BY day DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// WriteDue writes a checkpoint for every completed day not yet
// checkpointed, from the day after the last checkpoint (or the day of the
// first event) through yesterday, and returns how many it wrote. Days
// without events get one too, so the chain has no gaps. Several processes
// may run it at once: the day is the key and the second INSERT does
// nothing; each next day is chained to the stored one, whoever wrote it.
func (s *Service) WriteDue(ctx context.Context) (int, error) {
	// Reads go to the primary's read pool (never a replica, which may
	// lag behind the day being sealed), the insert to the writer.
	q := s.DB.Read()
	last, err := s.last(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("checkpoints: %w", err)
	}
	var start calendar.Date
	prev := ""
	if last != nil {
		d, err := calendar.ParseDate(last.Day)
		if err != nil {
			return 0, fmt.Errorf("checkpoints: stored day %q: %w", last.Day, err)
		}
		start, prev = d.AddDays(1), last.Digest()
	} else {
		// ORDER BY … LIMIT 1 rather than MIN: SQLite hands an aggregate
		// back as text, a plain column as the time it declares.
		var first time.Time
		err := q.QueryRowContext(ctx, `SELECT at FROM case_events ORDER BY at LIMIT 1`).Scan(&first)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("checkpoints: %w", err)
		}
		start = clock.Today(first)
	}
	grace := s.Grace
	if grace == 0 {
		grace = 5 * time.Minute
	}
	end := clock.Today(s.Now().Add(-grace)).AddDays(-1)
	n := 0
	for d := start; !d.After(end); d = d.AddDays(1) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		c, err := compute(ctx, q, d)
		if err != nil {
			return n, err
		}
		c.Prev, c.CreatedAt = prev, s.Now().UTC().Truncate(time.Millisecond)
		c.sign(s.Key)
		res, err := s.DB.Exec(ctx, `INSERT INTO checkpoints (`+cols+`) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (day) DO NOTHING`,
			c.Day, c.Events, c.Root, c.Prev, c.KeyID, c.Signature, c.CreatedAt)
		if err != nil {
			return n, fmt.Errorf("checkpoint %s: %w", c.Day, err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			n++
		} else if c, err = scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM checkpoints WHERE day = $1`, c.Day)); err != nil {
			return n, fmt.Errorf("checkpoint %s: %w", d, err)
		}
		prev = c.Digest()
	}
	return n, nil
}

// compute counts a day's events and takes the Merkle root of their hashes.
func compute(ctx context.Context, q store.Querier, d calendar.Date) (Checkpoint, error) {
	leaves, err := dayLeaves(ctx, q, d)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint %s: %w", d, err)
	}
	return Checkpoint{Day: d.String(), Events: int64(len(leaves)), Root: Root(leaves)}, nil
}

// dayLeaves reads the hashes of the events whose time falls on day d in
// Shanghai, sorted. Times are passed in UTC, as the engine stores them
// (SQLite compares them as text).
func dayLeaves(ctx context.Context, q store.Querier, d calendar.Date) ([][]byte, error) {
	from, to := d.Time(clock.Shanghai).UTC(), d.AddDays(1).Time(clock.Shanghai).UTC()
	rows, err := q.QueryContext(ctx, `SELECT hash FROM case_events WHERE at >= $1 AND at < $2`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			b = []byte(h) // not hex: still a leaf, so it still moves the root
		}
		out = append(out, b)
	}
	slices.SortFunc(out, bytes.Compare)
	return out, rows.Err()
}

// Run writes due checkpoints now and then every interval until ctx ends.
// Safe in every process sharing a database (see WriteDue).
func (s *Service) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.WriteDue(ctx); err != nil && ctx.Err() == nil {
			log.Error("checkpoints", "err", err)
		} else if n > 0 {
			log.Info("checkpoints written", "days", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
