package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/cameras"
	"onestop/internal/org"
	"onestop/internal/queue"
)

// A ticket's staff page (issue 15 §4–5): issued, called at which window,
// served, with every change, and for those who may watch (cameras.Viewer)
// the "recording at that time" link of the window over the service.
// queue.ReadsRecord decides who reads it; the roles here say the same.

var queueRecordReaders = roles(org.Clerk, org.CentreAdmin, org.Supervisor, org.Leader)

func (s *Server) registerQueueRecord() {
	s.handle("GET /queue/tickets/{id}/record", queueRecordReaders, s.queueRecordPage)
}

// queueRecordURL is a ticket's staff page.
func queueRecordURL(id int64) string {
	return "/queue/tickets/" + strconv.FormatInt(id, 10) + "/record"
}

type queueRecordView struct {
	queue.Record
	// Camera is the recording link, "" when the reader may not watch or
	// the ticket was at no window.
	Camera string
}

func (s *Server) queueRecordPage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("entity.ticket")
	}
	a := actor(r)
	rec, err := s.Queue.Record(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := &queueRecordView{Record: rec}
	if cameras.Viewer(a) && rec.Ticket.WindowID != 0 && rec.Ticket.FirstCalledAt != nil {
		v.Camera = TicketRecordingURL(id)
	}
	p := s.page(r, "queue.record_title")
	p.Data = v
	return s.render(w, r, "queue_record", p)
}
