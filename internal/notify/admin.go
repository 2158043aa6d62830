package notify

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/ident"
	"onestop/internal/store"
)

// Scope is what part of the outbox an admin sees: every row (a
// province-wide admin) or one county's. The zero Scope sees nothing: an
// empty county never means "all".
type Scope struct {
	All    bool
	County string
}

func (sc Scope) where(w *store.Where) bool {
	switch {
	case sc.All:
		return true
	case sc.County != "":
		w.Add("region_code = ?", sc.County)
		return true
	}
	return false
}

// Listing states the admin page may ask for.
var ListStates = []string{Pending, Failed}

// List gives the rows in scope waiting or failed (status "" is both),
// newest first, at most limit.
func List(ctx context.Context, db *store.DB, sc Scope, status string, limit int) ([]Message, error) {
	w := &store.Where{}
	if !sc.where(w) {
		return nil, nil
	}
	switch status {
	case Pending, Failed:
		w.Add("status = ?", status)
	case "":
		w.Add("status IN ('pending','failed')")
	default:
		f := apperr.Fields{}
		f.Add("status", "error.choose")
		return nil, f.Err()
	}
	lim := w.Bind(limit)
	out, err := messages(ctx, db.Read(), `SELECT `+messageCols+` FROM sms_outbox`+w.String()+` ORDER BY id DESC LIMIT `+lim, w.Args()...)
	for i := range out {
		out[i].mask()
	}
	return out, err
}

// mask hides who a message is to and what it says from the admin: the
// recipient masked, a written text (one-time codes) dropped. The template
// key and the error are what an admin needs to mend a failure.
// (《个人信息保护法》第五十一条.)
func (m *Message) mask() {
	m.Phone = ident.MaskPhone(m.Phone)
	if user, domain, ok := strings.Cut(m.Email, "@"); ok && user != "" {
		m.Email = string([]rune(user)[:1]) + "***@" + domain
	}
	m.Text = ""
}

// Retry puts a failed row in scope back in the queue, due now, with its
// attempts counted afresh.
func Retry(ctx context.Context, db *store.DB, sc Scope, id int64, now time.Time) error {
	w := &store.Where{}
	if !sc.where(w) {
		return apperr.NotFoundf("entity.outbox_message")
	}
	w.Add("id = ?", id)
	var status string
	if err := db.W.QueryRowContext(ctx, `SELECT status FROM sms_outbox`+w.String(), w.Args()...).Scan(&status); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("entity.outbox_message")
		}
		return err
	}
	res, err := db.Exec(ctx, `UPDATE sms_outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL WHERE id = $2 AND status = 'failed'`,
		now.UTC(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "notify.outbox.not_failed")
	}
	return nil
}
