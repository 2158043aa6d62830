package web

import (
	"net/http"

	"onestop/internal/apperr"
	"onestop/internal/org"
)

// resource is one kind of organisation record administered the same way:
// a list page, a form to create and edit, retiring instead of deleting, and
// the matching JSON API. Each kind supplies its domain calls; the HTTP
// plumbing is written once here.
type resource[T any, In any] struct {
	name     string // URL segment and template prefix, e.g. "departments"
	entity   string // message key naming one record, e.g. "entity.department"
	read     access
	write    access
	creators access // who may add records; defaults to write
	list     func(r *http.Request, a org.Actor, o org.ListOptions) ([]T, int, error)
	get      func(r *http.Request, a org.Actor, key string) (T, error)
	create   func(r *http.Request, a org.Actor, in In) (T, error)
	update   func(r *http.Request, a org.Actor, key string, in In) (T, error)
	retire   func(r *http.Request, a org.Actor, key string) error
	key      func(T) string
	input    func(T) In // the record as form input, for editing
	// options adds what the form's menus need (centres, departments, roles).
	options func(r *http.Request, a org.Actor) (map[string]any, error)
}

// listPage is what a list template gets as .Data.
type listPage[T any] struct {
	Items   []T
	Total   int
	Q       string
	Retired bool
	Options map[string]any
	Offset  int
	Limit   int
}

// formPage is what a form template gets as .Data.
type formPage[T any] struct {
	Record  *T
	Options map[string]any
}

// listOptions reads an organisation listing's search and page; the
// default and the cap are org.ListOptions's own.
func listOptions(r *http.Request) org.ListOptions {
	q := readQuery(r)
	lim, off := q.Page(0, 1<<30)
	return org.ListOptions{Q: q.Get("q"), Retired: q.Get("retired") == "1" || q.Get("retired") == "true", Limit: lim, Offset: off}
}

func actor(r *http.Request) org.Actor { return *reqInfo(r).Actor }

func register[T any, In any](s *Server, res resource[T, In]) {
	base, api := "/admin/"+res.name, "/api/v1/"+res.name
	if res.creators.Roles == nil {
		res.creators = res.write
	}
	opts := func(r *http.Request) (map[string]any, error) {
		if res.options == nil {
			return map[string]any{}, nil
		}
		return res.options(r, actor(r))
	}

	s.handle("GET "+base, res.read, func(w http.ResponseWriter, r *http.Request) error {
		o := listOptions(r)
		items, total, err := res.list(r, actor(r), o)
		if err != nil {
			return err
		}
		op, err := opts(r)
		if err != nil {
			return err
		}
		p := s.page(r, "nav."+res.name)
		p.Data = listPage[T]{Items: items, Total: total, Q: o.Q, Retired: o.Retired, Options: op, Offset: o.Offset, Limit: max(o.Limit, 200)}
		return s.render(w, r, res.name, p)
	})
	s.handle("GET "+base+"/new", res.creators, func(w http.ResponseWriter, r *http.Request) error {
		op, err := opts(r)
		if err != nil {
			return err
		}
		p := s.page(r, res.name+".new")
		for k, v := range r.URL.Query() { // preset menus, e.g. ?centre_id=3
			p.Form[k] = v[0]
		}
		p.Data = formPage[T]{Options: op}
		return s.render(w, r, res.name+"_form", p)
	})
	s.handle("POST "+base, res.creators, func(w http.ResponseWriter, r *http.Request) error {
		var in In
		err := decode(r, &in)
		if err == nil {
			_, err = res.create(r, actor(r), in)
		}
		if err != nil {
			op, oerr := opts(r)
			if oerr != nil {
				return oerr
			}
			p := s.page(r, res.name+".new")
			p.Form = formValues(in)
			p.Data = formPage[T]{Options: op}
			return s.formFailed(w, r, res.name+"_form", p, err)
		}
		s.flash(r, "flash.created")
		http.Redirect(w, r, base, http.StatusSeeOther)
		return nil
	})
	s.handle("GET "+base+"/{key}", res.read, func(w http.ResponseWriter, r *http.Request) error {
		rec, err := res.get(r, actor(r), r.PathValue("key"))
		if err != nil {
			return err
		}
		op, err := opts(r)
		if err != nil {
			return err
		}
		p := s.page(r, res.name+".edit")
		p.Form = formValues(res.input(rec))
		p.Data = formPage[T]{Record: &rec, Options: op}
		return s.render(w, r, res.name+"_form", p)
	})
	s.handle("POST "+base+"/{key}", res.write, func(w http.ResponseWriter, r *http.Request) error {
		key := r.PathValue("key")
		var in In
		err := decode(r, &in)
		if err == nil {
			_, err = res.update(r, actor(r), key, in)
		}
		if err != nil {
			if c := apperr.CodeOf(err); c == apperr.NotFound || c == apperr.Forbidden || c == apperr.Internal {
				return err
			}
			rec, gerr := res.get(r, actor(r), key)
			if gerr != nil {
				return gerr
			}
			op, oerr := opts(r)
			if oerr != nil {
				return oerr
			}
			p := s.page(r, res.name+".edit")
			p.Form = formValues(in)
			p.Data = formPage[T]{Record: &rec, Options: op}
			return s.formFailed(w, r, res.name+"_form", p, err)
		}
		s.flash(r, "flash.saved")
		http.Redirect(w, r, base, http.StatusSeeOther)
		return nil
	})
	s.handle("POST "+base+"/{key}/retire", res.write, func(w http.ResponseWriter, r *http.Request) error {
		if err := res.retire(r, actor(r), r.PathValue("key")); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				s.flash(r, apperr.As(err).Msg.Key)
				http.Redirect(w, r, base+"/"+r.PathValue("key"), http.StatusSeeOther)
				return nil
			}
			return err
		}
		s.flash(r, "flash.retired")
		http.Redirect(w, r, base, http.StatusSeeOther)
		return nil
	})

	s.handle("GET "+api, res.read, func(w http.ResponseWriter, r *http.Request) error {
		items, total, err := res.list(r, actor(r), listOptions(r))
		if err != nil {
			return err
		}
		return listJSON(w, items, total)
	})
	s.handle("GET "+api+"/{key}", res.read, func(w http.ResponseWriter, r *http.Request) error {
		rec, err := res.get(r, actor(r), r.PathValue("key"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, rec)
	})
	s.handle("POST "+api, res.creators, func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		rec, err := res.create(r, actor(r), in)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, rec)
	})
	s.handle("PUT "+api+"/{key}", res.write, func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		rec, err := res.update(r, actor(r), r.PathValue("key"), in)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, rec)
	})
	s.handle("POST "+api+"/{key}/retire", res.write, func(w http.ResponseWriter, r *http.Request) error {
		if err := res.retire(r, actor(r), r.PathValue("key")); err != nil {
			return err
		}
		rec, err := res.get(r, actor(r), r.PathValue("key"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, rec)
	})
}
