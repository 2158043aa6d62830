package web

import (
	"log/slog"
	"onestop/internal/assessment"
	"time"

	"onestop/internal/anomaly"
	"onestop/internal/applicants"
	"onestop/internal/attendance"
	"onestop/internal/auth"
	"onestop/internal/bulletin"
	"onestop/internal/bundles"
	"onestop/internal/cameras"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/checkpoint"
	"onestop/internal/corrections"
	"onestop/internal/disclosure/publication"

	"onestop/internal/disclosure/annual"
	"onestop/internal/duty"
	"onestop/internal/files"
	"onestop/internal/metrics"
	"onestop/internal/modes"
	"onestop/internal/monitor"
	"onestop/internal/notice"
	"onestop/internal/notify"
	"onestop/internal/notify/tell"
	"onestop/internal/open311"
	"onestop/internal/org"
	"onestop/internal/payments"
	"onestop/internal/queue"
	"onestop/internal/ratings"
	"onestop/internal/store"
	"onestop/internal/supervision"
	"onestop/internal/voice"
)

// Services are the domain services a server uses, built once by
// NewServices: the command builds them, may use them itself (the sweeps,
// the checkpoints), and hands them to New. Handlers only call them, so a
// setting made here (the light rule, a clock) holds for every request.
type Services struct {
	DB  *store.DB
	Log *slog.Logger
	// Now is every service's clock; tests replace it to move time, and the
	// services read it on each call.
	Now func() time.Time

	Org         *org.Service
	Catalogue   *catalogue.Service
	Cases       *cases.Service
	Applicants  *applicants.Service
	Claims      *applicants.Claims
	Files       *files.Store
	FileOwners  *files.Owners
	Checkpoints *checkpoint.Service
	// Orders are the supervisor's correction orders (督办).
	Orders *corrections.Service
	// verify is the auditor's chain verification running in this
	// process, at most one at a time (supervision_record.go).
	verify *verifyJob
	// Throttle guards the logins; ProgressThrottle the public progress
	// query (see progress.go for why it keeps its own counts).
	Throttle         *auth.Throttle
	ProgressThrottle *auth.Throttle
	// Outbox delivers the messages (notify) by the configured SMS gateway
	// and mail server; without them, the log. Lights tells staff of
	// yellow and red lights.
	Outbox *notify.Dispatcher
	Lights *tell.LightSweep
	// Metrics counts requests, transitions and sweeps for /metrics.
	Metrics *metrics.Metrics
	// Monitor computes the live monitor's boards; Live pushes them to the
	// pages watching (a listener of the case engine). The command closes
	// Live on shutdown so open streams end.
	Monitor *monitor.Monitor
	Live    *monitor.Hub
	// Voice files and answers consultations, complaints and help
	// requests (issue 13 §3).
	Voice *voice.Service
	// Bulletins are the published supervision bulletins (issue 12).
	Bulletins *bulletin.Service
	// Assessments are the centre's quarterly checks, half-year and
	// year-end assessments (考核, issue 15 §6).
	Assessments *assessment.Service
	// Notices are the centres' notices (通知公告, issue 13).
	Notices *notice.Service

	// Bundles run parallel approval and life-event bundles (issue 14 §1).
	Bundles *bundles.Service

	// Ratings are the evaluations of services (好差评) and the
	// rectifications of bad ones.
	Ratings *ratings.Service

	// Anomalies raises supervision's anomalies as cases move (a witness
	// of Cases) and by time (its sweep, run by serve).
	Anomalies *anomaly.Service

	// Payments issues payment notices and records payments (issue 14
	// §2); its fee witness is supervision's, its OnDue the outbox's.
	Payments *payments.Service

	// Open311 is the GeoReport v2 endpoint over the enquiries (issue 13
	// §5); Open311Throttle slows its posts (open311.go).
	Open311         *open311.Service
	Open311Throttle *auth.Throttle

	// Modes are the acceptance modes 告知承诺 and 容缺受理 (issue 14 §3),
	// kept in step with Cases inside its transactions.
	Modes *modes.Service

	// Cameras are the hall's recorders and cameras and the links to
	// their recordings (issue 15 §5).
	Cameras *cameras.Service

	// Queue issues and calls queue tickets (issue 15 §4); QueueHub tells
	// the hall screens of its changes. The command closes QueueHub on
	// shutdown so open screen streams end.
	Queue         *queue.Service
	QueueHub      *queue.Hub
	QueueThrottle *auth.Throttle

	// Duty is leaders' window duty (issue 15 §3).
	Duty *duty.Service

	// Attendance is the hall's attendance: terminals, punches, shifts,
	// leave and sheets (issue 15 §1).
	Attendance *attendance.Service

	// Publication is the organs' publication catalogues (主动公开, issue 16).
	Publication *publication.Service

	// DisclosureReports are the annual disclosure reports and the
	// reviews and suits their table 四 counts (issue 16 item 3).
	DisclosureReports *annual.Service

	i18n *translator
}

// NewServices builds the services over db with the settings in cfg. It
// fails only when the embedded translations are broken.
func NewServices(db *store.DB, log *slog.Logger, cfg Config) (*Services, error) {
	tr, err := newTranslator()
	if err != nil {
		return nil, err
	}
	s := &Services{DB: db, Log: log, Now: time.Now, i18n: tr}
	now := func() time.Time { return s.Now() }
	s.Org = &org.Service{DB: db, Now: now}
	s.Catalogue = &catalogue.Service{DB: db, Now: now}
	s.Metrics = metrics.New(db)
	s.Cases = cases.New(db, s.Catalogue, now)
	s.Cases.Observer = s.Metrics
	s.Attendance = &attendance.Service{DB: db, Now: now, Calendar: s.Cases.WorkingCalendar}
	s.Modes = modes.New(db, s.Catalogue, s.Cases, now)
	if cfg.Light != nil {
		s.Cases.Light = *cfg.Light
	}
	// Supervision's running totals and anomalies move with every
	// transition, in its transaction.
	s.Anomalies = supervision.Watch(s.Cases, db, now)
	s.Duty = &duty.Service{DB: db, Now: now}
	s.Monitor = &monitor.Monitor{DB: db, Engine: s.Cases, Now: now}
	s.Live = &monitor.Hub{Monitor: s.Monitor, Log: log, Tick: cfg.LiveTick}
	s.Cases.Listeners = append(s.Cases.Listeners, s.Live.Changed)
	s.Applicants = &applicants.Service{DB: db, Now: now}
	// A bundle follows its parts inside each part's transition.
	s.Bundles = bundles.New(db, s.Cases, s.Catalogue, now)
	s.Cases.Witnesses = append(s.Cases.Witnesses, s.Bundles)
	s.Claims = &applicants.Claims{DB: db, Now: now, Text: func(lang, key string, args map[string]any) string {
		if lang == "" {
			lang = defaultLang
		}
		return tr.T(lang, key, args)
	}}
	s.Files = &files.Store{Dir: filesDir(cfg.DataDir), Now: now}
	s.FileOwners = &files.Owners{DB: db}
	s.Checkpoints = &checkpoint.Service{DB: db, Key: cfg.CheckpointKey, Now: now}
	s.Bulletins = &bulletin.Service{DB: db, Now: now}
	s.Assessments = &assessment.Service{DB: db, Now: now}
	s.Notices = &notice.Service{DB: db, Now: now}
	s.Orders = &corrections.Service{DB: db, Cases: s.Cases, Now: now}
	s.Ratings = &ratings.Service{DB: db, Cases: s.Cases, Now: now, Text: s.Claims.Text}
	s.Voice = &voice.Service{DB: db, Cases: s.Cases, Orders: s.Orders, Now: now, Text: s.Claims.Text, TrackURL: voiceTrackURL(cfg)}
	s.Orders.Witnesses = append(s.Orders.Witnesses, s.Voice.OrderWitness)
	s.Payments = &payments.Service{DB: db, Cases: s.Cases, Now: now, Fees: s.Anomalies, OnDue: tell.PaymentDue(now)}
	s.Bundles.Payments = s.Payments
	s.verify = &verifyJob{}
	s.Throttle = auth.DefaultThrottle(db)
	s.ProgressThrottle = progressThrottle(db)
	s.Open311 = &open311.Service{Org: s.Org, Desk: s.Voice, Keys: &open311.Keys{DB: db, Now: now}}
	s.Open311Throttle = open311Throttle(db)
	// The outbox's gateways are the configured ones; the demo's console,
	// else the log, stands in for a missing one.
	var fallback notify.Sender = notify.LogSender{Log: log}
	if cfg.SMSConsole != nil {
		fallback = notify.ConsoleSender{W: cfg.SMSConsole}
	}
	s.Outbox = &notify.Dispatcher{DB: db, SMS: cfg.SMS, Mail: cfg.Mail, Text: s.Claims.Text, Now: now, Log: log}
	if s.Outbox.SMS == nil {
		s.Outbox.SMS = fallback
	}
	if s.Outbox.Mail == nil {
		s.Outbox.Mail = fallback
	}
	// Applicants and staff are told of a transition in its transaction.
	s.Cases.Witnesses = append(s.Cases.Witnesses, tell.CaseWitness{})
	s.Lights = &tell.LightSweep{DB: db, Cases: s.Cases, Now: now}
	s.Cameras = &cameras.Service{DB: db, Now: now}
	s.Publication = &publication.Service{DB: db, Now: now, Calendar: s.Cases.WorkingCalendar, Text: s.Claims.Text}

	s.DisclosureReports = &annual.Service{DB: db, Now: now, Calendar: s.Cases.WorkingCalendar}

	s.QueueHub = &queue.Hub{Tick: cfg.LiveTick}
	s.Queue = &queue.Service{DB: db, Now: now, Changed: s.QueueHub.Changed}
	// The queue's throttle counts every ticket issued to the public by
	// address, as open311 counts its posts, so the delay is a rate. The
	// address is the kiosk's: a busy hall gives out a number every ten
	// seconds or so from one kiosk, so 60 in ten minutes pass freely;
	// beyond that each further one waits (2 s doubling to a minute), so a
	// person pressing on takes a handful a minute at most. On the portal
	// a phone holds one open ticket per centre and day (queue.Issue).
	s.QueueThrottle = &auth.Throttle{DB: db,
		Address: auth.Backoff{Free: 60, Base: 2 * time.Second, Cap: time.Minute, Window: 10 * time.Minute}}
	return s, nil
}
