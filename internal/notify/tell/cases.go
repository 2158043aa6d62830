package tell

import (
	"context"
	"errors"
	"fmt"
	"net/mail"

	"database/sql"

	"onestop/internal/cases"
	"onestop/internal/ident"
	"onestop/internal/notify"
	"onestop/internal/store"
)

// CaseWitness queues, inside every case transition's transaction, the
// messages the transition causes: the applicant's (one per message key
// of the action, case.msg.*, by the channel they chose) and a note to the
// staff member a case just reached.
type CaseWitness struct{}

// Witness implements cases.Witness.
func (CaseWitness) Witness(ctx context.Context, q store.Querier, ch cases.Change) error {
	c := ch.Case
	if len(ch.Msgs) > 0 {
		to, err := applicantChannels(ctx, q, c)
		if err != nil {
			return err
		}
		params := caseParams(c)
		for _, key := range ch.Msgs {
			for _, m := range to {
				m.Key, m.Params, m.Region = TemplateKey(key), params, c.RegionCode
				if err := notify.QueueMsg(ctx, q, m, ch.Now()); err != nil {
					return err
				}
			}
		}
	}
	// New work: the case entered a step with a named person who did not
	// send it there themselves.
	now := cases.FactsOf(c)
	moved := now.Field("assignee_id") != ch.Before.Field("assignee_id") || now.Field("step") != ch.Before.Field("step")
	if c.AssigneeID != 0 && c.ClosedAt == nil && moved &&
		(ch.Actor.Staff == nil || ch.Actor.Staff.StaffID != c.AssigneeID) {
		return notify.TellStaff(ctx, q, c.AssigneeID, c.ID, c.RegionCode, "notify.staff.new_work", caseParams(c), ch.Now())
	}
	return nil
}

// TemplateKey is the outbox template of a case message key: the message
// the case page shows (case.msg.accepted) becomes notify.case.msg.accepted,
// a text that names the case, for a phone or a mailbox.
func TemplateKey(caseMsg string) string { return "notify." + caseMsg }

func caseParams(c *cases.Case) map[string]any {
	// Centre is where the applicant collects: a case accepted at a township
	// for pick-up at the hall names the hall (docs/DOMAIN.md §17).
	centre := c.Centre
	if c.PickupCentre != "" {
		centre = c.PickupCentre
	}
	p := map[string]any{"No": c.No, "Item": c.ItemName, "Centre": centre}
	if c.Deadline != nil {
		p["Deadline"] = c.Deadline.String()
	}
	if c.StepName != "" {
		p["Step"] = c.StepName
	}
	return p
}

// applicantChannels reads how the applicant wants to be told. The default
// is SMS to the phone on the case; an e-mail choice without an address, or
// an SMS choice without a mobile number, falls back to the other channel
// so the applicant still hears.
func applicantChannels(ctx context.Context, q store.Querier, c *cases.Case) ([]notify.Msg, error) {
	var by, email, lang string
	err := q.QueryRowContext(ctx, `SELECT notify_by, email, notify_lang FROM applicants WHERE id = $1`, c.ApplicantID).Scan(&by, &email, &lang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("applicant channels: %w", err)
	}
	phone := c.ApplicantPhone
	hasPhone, hasMail := ident.IsMobile(phone), validAddress(email)
	wantSMS := by == notify.SMS || by == "both" || !hasMail
	wantMail := by == notify.Email || by == "both" || !hasPhone
	var out []notify.Msg
	if wantSMS && hasPhone {
		out = append(out, notify.Msg{Channel: notify.SMS, To: phone, Lang: lang})
	}
	if wantMail && hasMail {
		out = append(out, notify.Msg{Channel: notify.Email, To: email, Lang: lang})
	}
	return out, nil
}

// validAddress: mail can be sent to it (an address saved before e-mail was
// sent, under the looser form check, may not be one).
func validAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
