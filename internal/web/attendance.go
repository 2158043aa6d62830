package web

// Attendance (考勤, issue 15 §1): the terminals' calls
// (attendance_terminals.go) and the staff's pages (attendance_pages.go).
func (s *Server) registerAttendance() {
	s.registerAttendanceTerminals()
	s.registerAttendancePages()
	s.registerAttendanceAdmin()
}
