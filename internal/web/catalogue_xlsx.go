package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/catalogue/xlsx"
	"onestop/internal/clock"
)

// registerCatalogueXLSX wires the workbook a department fills in by hand
// (internal/catalogue/xlsx): the export doubles as the template.
func (s *Server) registerCatalogueXLSX() {
	s.handle("GET /admin/items/export.xlsx", anyStaff, s.exportItems)
	s.handle("GET /admin/items/import", itemManagers, s.manages(s.importPage))
	s.handle("POST /admin/items/import", itemManagers, s.manages(s.importItems))
}

// exportItems sends the whole catalogue as a workbook. It is built in
// memory first so a failure half-way answers an error page, not a broken
// file (a county's catalogue is well under a few MiB).
func (s *Server) exportItems(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := xlsx.Export(r.Context(), s.Catalogue, &buf); err != nil {
		return err
	}
	name := "catalogue-" + s.Now().In(clock.Shanghai).Format("20060102") + ".xlsx"
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

// importProblem is one row error of a refused import, translated.
type importProblem struct {
	Sheet   string
	Row     int
	Column  string
	Message string
}

type importData struct {
	Result   *catalogue.ImportResult
	FileName string
	Problems []importProblem
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "catalogue.import")
	p.Data = importData{}
	return s.render(w, r, "catalogue_import", p)
}

// importItems applies an uploaded workbook, all or nothing, and shows
// either the counts or every problem with its sheet, row and column. The
// upload may be up to maxImport bytes (middleware.go makes the exception).
func (s *Server) importItems(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "catalogue.import")
	p.Data = importData{}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		f := apperr.Fields{}
		f.Add("file", "catalogue.import_no_file")
		return s.formFailed(w, r, "catalogue_import", p, f.Err())
	}
	defer file.Close()
	res, err := xlsx.Import(r.Context(), s.Catalogue, actor(r), file)
	var ie *xlsx.ImportError
	if errors.As(err, &ie) {
		d := importData{FileName: hdr.Filename}
		for _, row := range ie.Rows {
			d.Problems = append(d.Problems, importProblem{Sheet: row.Sheet, Row: row.Row, Column: row.Column, Message: s.i18n.Msg(p.Lang, row.Msg)})
		}
		p.Data = d
		p.Problem = s.i18n.Msg(p.Lang, apperr.M("catalogue.xlsx_rejected", "Count", len(ie.Rows)))
		p.Status = http.StatusUnprocessableEntity
		return s.render(w, r, "catalogue_import", p)
	}
	if err != nil {
		return s.formFailed(w, r, "catalogue_import", p, err)
	}
	p.Data = importData{Result: &res, FileName: hdr.Filename}
	return s.render(w, r, "catalogue_import", p)
}
