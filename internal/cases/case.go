// Package cases is the case engine (网上审批): a case from submission to
// delivery, one transaction per transition, each appending a hash-chained
// event; deadlines from the working-day clock; deemed acceptance and deemed
// approval done by durable sweeps over the case rows themselves.
package cases

import (
	"time"

	"onestop/internal/calendar"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
)

// Channels.
var Channels = []string{"window", "township", "online", "commissioned"}

// DeliveryMethods for the result.
var DeliveryMethods = []string{"window", "post", "electronic"}

// PauseReasons are the special procedures excluded from the limit
// (行政许可法 Art. 45).
var PauseReasons = []string{"hearing", "bidding", "auction", "inspection", "testing", "quarantine", "appraisal", "expert_review"}

// MaxExtension is the extension the head of an organ may grant (Art. 42);
// parallel approval allows 15 (docs/DOMAIN.md §3).
const MaxExtension = 10

// DeliveryDays is the time to issue and deliver the licence after the
// decision (行政许可法 Art. 44).
const DeliveryDays = 10

// NoticeDays is the time to send the one-time supplement notice (Art. 32).
const NoticeDays = 5

// Material is one material of a case.
type Material struct {
	Seq       int        `json:"seq"`
	Name      string     `json:"name"`
	Required  bool       `json:"required"`
	Status    string     `json:"status"` // missing, received, defective, not_applicable
	Note      string     `json:"note,omitempty"`
	Paper     bool       `json:"paper"`
	FileSHA   string     `json:"file_sha256,omitempty"`
	FileName  string     `json:"file_name,omitempty"`
	FileType  string     `json:"file_type,omitempty"`
	FileSize  int64      `json:"file_size,omitempty"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// IsImage reports whether the material's file is a scan the case page can
// show as a thumbnail (PDFs open in the browser's viewer instead).
func (m Material) IsImage() bool { return m.FileType == "image/jpeg" || m.FileType == "image/png" }

// Document is an official document issued for a case.
type Document struct {
	Kind     string    `json:"kind"`
	EventSeq int       `json:"event_seq"`
	IssuedAt time.Time `json:"issued_at"`
}

// Message is a message to the applicant.
type Message struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}

// Pause is one clock pause.
type Pause struct {
	From         time.Time  `json:"from"`
	To           *time.Time `json:"to,omitempty"`
	Reason       string     `json:"reason"`
	ExpectedDays int        `json:"expected_days"`
}

// Case is a case as its pages and the API show it.
type Case struct {
	ID                int64          `json:"-"`
	No                string         `json:"no"`
	ItemCode          string         `json:"item_code"`
	ItemName          string         `json:"item_name"`
	ItemVersion       int            `json:"item_version"`
	ItemVersionID     int64          `json:"-"`
	DepartmentID      int64          `json:"department_id"`
	Department        string         `json:"department"`
	DepartmentMode    string         `json:"-"`
	CentreID          int64          `json:"centre_id"`
	Centre            string         `json:"centre"`
	RegionCode        string         `json:"-"`
	Channel           string         `json:"channel"`
	ApplicantID       int64          `json:"applicant_id"`
	ApplicantName     string         `json:"applicant_name"`
	ApplicantKind     string         `json:"applicant_kind"`
	ApplicantNumber   string         `json:"applicant_id_number"`
	ApplicantPhone    string         `json:"applicant_phone"`
	FirstContactID    int64          `json:"first_contact_id,omitempty"`
	FirstContact      string         `json:"first_contact,omitempty"`
	State             string         `json:"state"`
	Step              int            `json:"step"`
	StepName          string         `json:"step_name,omitempty"`
	StepRole          string         `json:"step_role,omitempty"`
	AssigneeID        int64          `json:"assignee_id,omitempty"`
	Assignee          string         `json:"assignee,omitempty"`
	Version           int            `json:"version"`
	ReceivedAt        time.Time      `json:"received_at"`
	NoticeDue         *time.Time     `json:"notice_due,omitempty"`
	AcceptedAt        *time.Time     `json:"accepted_at"`
	DecidedAt         *time.Time     `json:"decided_at,omitempty"`
	CompletedAt       *time.Time     `json:"completed_at,omitempty"`
	DeliveredAt       *time.Time     `json:"delivered_at,omitempty"`
	ClosedAt          *time.Time     `json:"closed_at,omitempty"`
	PromisedDays      int            `json:"promised_days"`
	StatutoryDays     int            `json:"statutory_days"`
	ExtensionDays     int            `json:"extension_days"`
	Deadline          *calendar.Date `json:"deadline"`
	StatutoryDeadline *calendar.Date `json:"statutory_deadline"`
	Provisional       bool           `json:"provisional"`
	Paused            bool           `json:"paused"`
	DeemedAllowed     bool           `json:"deemed_allowed"`
	Decision          string         `json:"decision,omitempty"`
	Deemed            bool           `json:"deemed"`
	Delivery          string         `json:"delivery,omitempty"`
	FeesFen           int64          `json:"fees_fen"`
	Payment           string         `json:"payment,omitempty"` // the payment notice's state (payment.go)
	LastHash          string         `json:"-"`
	Light             clock.Light    `json:"light,omitempty"`
	Clock             *clock.Status  `json:"clock,omitempty"`
	// BundleNo names the bundle this case is a part of (sub-case, 并联审批);
	// its lead department's clerks receive and deliver it (BundleLeadID).
	BundleNo     string `json:"bundle_no,omitempty"`
	BundleLeadID int64  `json:"-"`

	// AssigneeAbsent and AssigneeBackup tell who may act on the step now
	// (A/B cover); only Get reads them, for the case page and the API.
	AssigneeAbsent   bool   `json:"assignee_absent,omitempty"`
	AssigneeBackupID int64  `json:"assignee_backup_id,omitempty"`
	AssigneeBackup   string `json:"assignee_backup,omitempty"`
	// AssigneeUncovered: A is away and no B is at work, so the
	// department's chief representative acts, or, with that person away
	// too, whom the department admin assigned (cover.go).
	AssigneeUncovered bool `json:"assignee_uncovered,omitempty"`
	// CoverID and Cover: who acts for an uncovered A; CoverAssignedBy the
	// department admin who assigned them ("" for the chief representative).
	CoverID         int64  `json:"cover_id,omitempty"`
	Cover           string `json:"cover,omitempty"`
	CoverAssignedBy string `json:"cover_assigned_by,omitempty"`

	// CentreKind is the accepting centre's kind (hall, township,
	// community). PickupCentre is where the applicant collects the result:
	// the accepting centre unless they chose another (docs/DOMAIN.md §17).
	CentreKind     string `json:"-"`
	PickupCentreID int64  `json:"pickup_centre_id"`
	PickupCentre   string `json:"pickup_centre"`

	Item      *catalogue.Item `json:"-"`
	Materials []Material      `json:"materials,omitempty"`
	Events    []Event         `json:"events,omitempty"`
	Documents []Document      `json:"documents,omitempty"`
	Messages  []Message       `json:"messages,omitempty"`
	Pauses    []Pause         `json:"pauses,omitempty"`
}

// Open reports whether the case still runs.
func (c *Case) Open() bool { return c.ClosedAt == nil }

// steps returns the item version's process template.
func (c *Case) steps() []catalogue.Step {
	if c.Item == nil {
		return nil
	}
	return c.Item.Steps
}

// timeT keeps signatures in the transition code readable.
type timeT = time.Time
