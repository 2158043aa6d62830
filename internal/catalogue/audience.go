package catalogue

// Serves reports whether an applicant of a kind ("citizen" or
// "organisation") may apply for an item of the given audience: an item for
// one kind only refuses the other, "both" (or an unset audience) serves
// all. The engine refuses a case by it and the online form refuses before
// anything is uploaded, so the two cannot disagree.
func Serves(audience, kind string) bool {
	switch audience {
	case "citizen", "organisation":
		return kind == audience
	}
	return true
}
