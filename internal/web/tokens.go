package web

import (
	"database/sql"
	"net/http"
	"slices"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/auth"
)

// tokenLifetimes are the choices offered, in days; the first longer than
// auth.MaxTokenLife would be refused.
var tokenLifetimes = []int{30, 90, 180, 365}

// tokensView is the tokens page's data.
type tokensView struct {
	Secret    string // the token just created, shown once
	Tokens    []auth.Token
	Lifetimes []int
	Now       time.Time
}

func (s *Server) tokensView(r *http.Request, secret string) (*tokensView, error) {
	list, err := auth.Tokens(r.Context(), s.DB.R, actor(r).StaffID)
	if err != nil {
		return nil, err
	}
	return &tokensView{Secret: secret, Tokens: list, Lifetimes: tokenLifetimes, Now: s.Now()}, nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "tokens.title")
	p.Form["days"] = strconv.Itoa(int(auth.DefaultTokenLife / (24 * time.Hour)))
	v, err := s.tokensView(r, "")
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "tokens", p)
}

// createToken issues an API token for the signed-in account and shows it
// once. Its owner picks how long it lives, up to auth.MaxTokenLife.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "tokens.title")
	f := apperr.Fields{}
	name := f.Text("name", r.PostFormValue("name"), true, 60)
	p.Form["name"], p.Form["days"] = r.PostFormValue("name"), r.PostFormValue("days")
	days := int(auth.DefaultTokenLife / (24 * time.Hour))
	if v := r.PostFormValue("days"); v != "" {
		var err error
		if days, err = strconv.Atoi(v); err != nil || !slices.Contains(tokenLifetimes, days) {
			f.Add("days", "tokens.days_invalid")
		}
	}
	if err := f.Err(); err != nil {
		v, verr := s.tokensView(r, "")
		if verr != nil {
			return verr
		}
		p.Data = v
		return s.formFailed(w, r, "tokens", p, err)
	}
	a := actor(r)
	now := s.Now()
	var tok string
	err := s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if tok, err = auth.NewToken(r.Context(), tx, a.StaffID, name, now, time.Duration(days)*24*time.Hour); err != nil {
			return err
		}
		return audit.Write(r.Context(), tx, now, a.Who(), "create", "api_token", name, a.CentreID, a.DepartmentID, nil,
			map[string]any{"name": name, "days": days})
	})
	if err != nil {
		return err
	}
	v, err := s.tokensView(r, tok)
	if err != nil {
		return err
	}
	p.Form["name"] = ""
	p.Data = v
	return s.render(w, r, "tokens", p)
}

// revokeToken ends one of the signed-in person's own tokens. Another
// person's token id answers as one that does not exist.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("entity.api_token")
	}
	a := actor(r)
	now := s.Now()
	err = s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		ok, err := auth.RevokeToken(r.Context(), tx, a.StaffID, id, now)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundf("entity.api_token")
		}
		return audit.Write(r.Context(), tx, now, a.Who(), "revoke", "api_token", itoa(id), a.CentreID, a.DepartmentID, nil, nil)
	})
	if err != nil {
		return err
	}
	s.flash(r, "tokens.revoked")
	http.Redirect(w, r, "/account/tokens", http.StatusSeeOther)
	return nil
}
