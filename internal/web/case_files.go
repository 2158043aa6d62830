package web

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/files"
)

const (
	// maxCaseUpload bounds one request that carries materials: a few
	// scanned pages per material, several materials per form.
	maxCaseUpload = 20 << 20
	// maxFile bounds one uploaded file.
	maxFile = 10 << 20
)

// caseUpload lists the routes that take uploaded materials, for the body
// limit in limitBody.
func caseUpload(path string) bool {
	switch {
	case path == "/api/v1/files":
		return true
	case strings.HasPrefix(path, "/apply/"):
		return true
	case strings.HasPrefix(path, "/my/cases/") && strings.HasSuffix(path, "/resubmit"):
		return true
	case strings.HasPrefix(path, "/cases/") && strings.HasSuffix(path, "/actions/resubmit"):
		return true
	}
	return false
}

// filesDir is where uploads live: DataDir/files. A server built without a
// data directory (tests) shares one directory under the system's temporary
// directory; content addressing makes sharing harmless, since a file's name
// is its content.
func filesDir(dataDir string) string {
	if dataDir == "" {
		return filepath.Join(os.TempDir(), "onestop-files")
	}
	return filepath.Join(dataDir, "files")
}

// parseAnyForm parses a urlencoded or multipart body; a body over the
// limit is "too large", anything unreadable a form error.
func parseAnyForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mbe):
		return errTooLarge
	}
	return apperr.New(apperr.Invalid, "error.bad_form")
}

// ownerOf is who an upload by a belongs to.
func ownerOf(a cases.Actor) files.Owner {
	if a.Staff != nil {
		return files.Owner{Kind: files.OwnerStaff, ID: a.Staff.StaffID}
	}
	return files.Owner{Kind: files.OwnerApplicant, ID: a.ApplicantID}
}

// store puts one uploaded file into the files store, bound to its
// uploader; its problems (type, size, the uploader's quota) become a
// problem of the form field.
func (s *Server) store(r *http.Request, who cases.Actor, fh *multipart.FileHeader, fe apperr.Fields, field string) (*cases.FileRef, error) {
	owner := ownerOf(who)
	if err := s.FileOwners.CheckQuota(r.Context(), owner, fh.Size, s.Now()); err != nil {
		if ae := apperr.As(err); ae != nil {
			fe.Add(field, ae.Msg.Key, argList(ae.Msg.Args)...)
			return nil, nil
		}
		return nil, err
	}
	f, err := fh.Open()
	if err != nil {
		fe.Add(field, "error.bad_form")
		return nil, nil
	}
	defer f.Close()
	ref, err := s.Files.Put(f, fh.Filename, maxFile)
	if err != nil {
		if ae := apperr.As(err); ae != nil {
			fe.Add(field, ae.Msg.Key, argList(ae.Msg.Args)...)
			return nil, nil
		}
		s.Log.Error("store upload", "err", err)
		fe.Add(field, "files.failed")
		return nil, nil
	}
	if err := s.FileOwners.Bind(r.Context(), ref, owner, s.Now()); err != nil {
		return nil, err
	}
	return &cases.FileRef{SHA256: ref.SHA256, Name: ref.Name, Type: ref.Type, Size: ref.Size}, nil
}

func argList(m map[string]any) []any {
	var out []any
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// receivedMaterials reads, per material, an uploaded file (field m<seq>),
// a file kept from a refused form (m<seq>_file: its hash, which must be the
// uploader's own) or, when paper is allowed (a clerk at the window), a
// ticked m<seq>_paper.
// Files are bound to who uploads them.
func (s *Server) receivedMaterials(r *http.Request, who cases.Actor, c *cases.Case, paper bool) ([]cases.MaterialChange, error) {
	fe := apperr.Fields{}
	var out []cases.MaterialChange
	for _, m := range c.Materials {
		field := fmt.Sprintf("materials.%d", m.Seq)
		if r.MultipartForm != nil {
			if fhs := r.MultipartForm.File[fmt.Sprintf("m%d", m.Seq)]; len(fhs) > 0 && fhs[0].Size > 0 {
				ref, err := s.store(r, who, fhs[0], fe, field)
				if err != nil {
					return nil, err
				}
				if ref != nil {
					out = append(out, cases.MaterialChange{Seq: m.Seq, File: ref})
				}
				continue
			}
		}
		if sha := r.PostFormValue(fmt.Sprintf("m%d_file", m.Seq)); sha != "" {
			// A file this person uploaded with a form that was refused,
			// offered again by reference (the form keeps it).
			kept := cases.MaterialChange{Seq: m.Seq, File: &cases.FileRef{SHA256: sha, Name: r.PostFormValue(fmt.Sprintf("m%d_name", m.Seq))}}
			if err := s.checkFiles(r, who, c.No, []cases.MaterialChange{kept}); err != nil {
				if !apperr.Is(err, apperr.Invalid) {
					return nil, err
				}
				fe.Add(field, "files.unknown")
				continue
			}
			out = append(out, kept)
			continue
		}
		if paper && r.PostFormValue(fmt.Sprintf("m%d_paper", m.Seq)) != "" {
			out = append(out, cases.MaterialChange{Seq: m.Seq, Paper: true})
		}
	}
	// The good files come back with the field errors, so a refused form
	// can keep them.
	return out, fe.Err()
}

// checkFiles makes the files an API caller names real and theirs: each
// hash must be one the caller uploaded, or one the case (no; "" when
// opening a case) already names, and in the store; its type and size are
// taken from the store, not from the caller. A hash of someone else's
// file gets the same answer as one nobody uploaded, so the answer tells
// nothing about what others handed in.
func (s *Server) checkFiles(r *http.Request, who cases.Actor, no string, ms []cases.MaterialChange) error {
	fe := apperr.Fields{}
	var inCase *cases.Case
	for i := range ms {
		ref := ms[i].File
		if ref == nil {
			continue
		}
		field := fmt.Sprintf("materials.%d.file", ms[i].Seq)
		if !files.ValidSHA(ref.SHA256) {
			fe.Add(field, "files.unknown")
			continue
		}
		mine, err := s.FileOwners.Owns(r.Context(), ref.SHA256, ownerOf(who))
		if err != nil {
			return err
		}
		if !mine && no != "" {
			if inCase == nil {
				// Read as the caller: a case out of their scope names nothing.
				if inCase, err = s.Cases.Get(r.Context(), who, no); err != nil && !apperr.Is(err, apperr.NotFound) {
					return err
				} else if err != nil {
					inCase = &cases.Case{}
				}
			}
			mine = slices.ContainsFunc(inCase.Materials, func(m cases.Material) bool { return m.FileSHA == ref.SHA256 })
		}
		if !mine {
			fe.Add(field, "files.unknown")
			continue
		}
		st, err := s.Files.Stat(ref.SHA256)
		if err != nil || st.Type == "" {
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			fe.Add(field, "files.unknown")
			continue
		}
		ref.Type, ref.Size, ref.Name = st.Type, st.Size, files.CleanName(ref.Name)
	}
	return fe.Err()
}

// submitCase and actCase run the engine and then mark the files it
// received as attached, which keeps them for good (files.Owners.Cleanup).
func (s *Server) submitCase(r *http.Request, who cases.Actor, in cases.SubmitInput) (*cases.Case, error) {
	c, err := s.Cases.Submit(r.Context(), who, in)
	if err != nil {
		return nil, err
	}
	return c, s.attached(r, in.Materials)
}

func (s *Server) actCase(r *http.Request, who cases.Actor, no, action string, in cases.Input) (*cases.Case, error) {
	c, err := s.Cases.Act(r.Context(), who, no, action, in)
	if err != nil {
		return nil, err
	}
	return c, s.attached(r, in.Materials)
}

// attached marks after the case committed: a failure here must not
// report the committed action as failed. The file the case now names is
// safe anyway (Cleanup never takes a file a case material names); only a
// later replacement would leave it unprotected, so it is logged.
func (s *Server) attached(r *http.Request, ms []cases.MaterialChange) error {
	var shas []string
	for _, m := range ms {
		if m.File != nil {
			shas = append(shas, m.File.SHA256)
		}
	}
	if err := s.FileOwners.Attached(r.Context(), shas, s.Now()); err != nil {
		s.Log.Error("mark files attached", "files", shas, "err", err)
	}
	return nil
}

// caseViewer is who reads a case under /my/cases/… (the signed-in
// applicant; ok is false when nobody is signed in) or /cases/… (staff).
func (s *Server) caseViewer(r *http.Request) (cases.Actor, bool, error) {
	if strings.HasPrefix(r.URL.Path, "/my/") {
		a, ok, err := s.applicantActor(r)
		return a, ok, err
	}
	return cases.StaffActor(actor(r)), true, nil
}

// signinOr returns err, or with no error sends the visitor to sign in.
func signinOr(w http.ResponseWriter, r *http.Request, err error) error {
	if err != nil {
		return err
	}
	return toSignin(w, r)
}

// caseFile serves an uploaded material of a case the viewer may see, with
// the type it was stored as: staff in scope (/cases/…) or the applicant
// (/my/cases/…). Only files the case names are served.
func (s *Server) caseFile(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.caseViewer(r)
	if !ok || err != nil {
		return signinOr(w, r, err)
	}
	c, err := s.Cases.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	sha := r.PathValue("sha")
	i := slices.IndexFunc(c.Materials, func(m cases.Material) bool { return m.FileSHA != "" && m.FileSHA == sha })
	if i < 0 {
		return apperr.NotFoundf("entity.file")
	}
	m := c.Materials[i]
	f, err := s.Files.Open(sha)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	typ := m.FileType
	if !slices.Contains(files.Allowed, typ) {
		typ = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	// inline: staff preview the scan in the browser; the file name is the
	// uploader's, encoded so no character of it reaches the header raw.
	h.Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(m.FileName))
	// Scans of ID cards and licences: no copy in any cache, the
	// browser's included (a shared computer in a hall).
	h.Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", fi.ModTime(), f)
	return nil
}

// apiUpload stores one file (multipart field "file") for a later
// POST /api/v1/cases or action: clerks and signed-in applicants.
func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) error {
	var who cases.Actor
	if info := reqInfo(r); info.Actor != nil {
		if info.Actor.Role != "clerk" {
			return errForbidden
		}
		who = cases.StaffActor(*info.Actor)
	} else if a, ok, err := s.applicantActor(r); err != nil {
		return err
	} else if !ok {
		return errSignIn
	} else {
		who = a
	}
	if err := parseAnyForm(r); err != nil {
		return err
	}
	fe := apperr.Fields{}
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		fe.Add("file", "error.required")
		return fe.Err()
	}
	ref, err := s.store(r, who, r.MultipartForm.File["file"][0], fe, "file")
	if err != nil {
		return err
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ref)
}
