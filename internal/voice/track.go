package voice

import (
	"context"
	"database/sql"

	"onestop/internal/apperr"
	"onestop/internal/ident"
)

// Track is the asker's view by tracking number and phone (the public
// /voice/track page): a wrong number and a wrong phone answer the same
// "not found", so the page tells nobody whether a number exists.
func (s *Service) Track(ctx context.Context, no, phone string) (*Enquiry, error) {
	e, err := s.ByNo(ctx, no)
	if err != nil {
		return nil, err
	}
	if !s.asker(ctx, e, phone, 0) {
		return nil, apperr.NotFoundf("entity.enquiry")
	}
	return e, nil
}

// asker reports whether the phone (as typed) or the signed-in applicant
// is the one who filed e.
func (s *Service) asker(ctx context.Context, e *Enquiry, phone string, applicantID int64) bool {
	var stored string
	var owner sql.NullInt64
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT phone, applicant_id FROM enquiries WHERE id = $1`, e.ID).Scan(&stored, &owner); err != nil {
		return false
	}
	if applicantID != 0 {
		return owner.Valid && owner.Int64 == applicantID
	}
	p, err := ident.Phone(phone)
	return err == nil && stored != "" && p == stored
}

// Confirm is the asker closing an answered enquiry after reading the
// reply: identified by the phone it was filed with, or as the signed-in
// applicant who filed it. Anyone else gets "not found".
func (s *Service) Confirm(ctx context.Context, no, phone string, applicantID int64, version int) (*Enquiry, error) {
	e, err := s.ByNo(ctx, no)
	if err != nil {
		return nil, err
	}
	if !s.asker(ctx, e, phone, applicantID) {
		return nil, apperr.NotFoundf("entity.enquiry")
	}
	if version != e.Version {
		return nil, apperr.New(apperr.Conflict, "voice.changed")
	}
	if err := inState(e, ActConfirm, Answered); err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.close(ctx, tx, e, Actor{Role: RoleAsker}, nil, "", now)
	}); err != nil {
		return nil, err
	}
	return s.ByNo(ctx, e.No)
}

// Mine lists what a signed-in applicant filed, newest first.
func (s *Service) Mine(ctx context.Context, applicantID int64) ([]*Enquiry, error) {
	if applicantID == 0 {
		return nil, apperr.NotFoundf("entity.applicant")
	}
	w, err := Filter{Kinds: Kinds}.where()
	if err != nil {
		return nil, err
	}
	w.Add("e.applicant_id = ?", applicantID)
	return s.query(ctx, w, MaxLimit, 0)
}
