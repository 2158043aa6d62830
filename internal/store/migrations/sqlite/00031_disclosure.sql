-- +goose Up
-- Government information disclosure (政府信息公开, issue 16; DOMAIN.md §8
-- and docs/DOMAIN.md §27). The shared base: the organs that publish, who
-- works their disclosure office, the publication catalogue, requests on
-- their legal clock and the review/litigation outcomes table 四 of the
-- annual report counts. Days are Shanghai days as TEXT 'YYYY-MM-DD'.

-- An organ (行政机关) with its own disclosure duty: the county government
-- itself, or one of its departments. The annual report is per organ and
-- its deadline depends on the kind (条例 Art. 49: departments by 31
-- January, the government by 31 March).
CREATE TABLE disclosure_organs (
  id            INTEGER PRIMARY KEY,
  region_code   TEXT      NOT NULL REFERENCES regions(code),
  kind          TEXT      NOT NULL CHECK (kind IN ('government','department')),
  department_id BIGINT    UNIQUE REFERENCES departments(id),
  name          TEXT      NOT NULL UNIQUE,
  created_at    TIMESTAMP NOT NULL,
  updated_at    TIMESTAMP NOT NULL,
  CHECK ((kind = 'department') = (department_id IS NOT NULL))
);

-- Who works an organ's disclosure office. 'officer' drafts entries and
-- handles requests; 'head' (the office's head) also reviews and publishes
-- entries, approves a request's extension (条例 Art. 33) and approves the
-- annual report. Granted by the centre admin; a grant is explicit per
-- organ, never implied by a role.
CREATE TABLE disclosure_officers (
  organ_id   BIGINT    NOT NULL REFERENCES disclosure_organs(id),
  staff_id   BIGINT    NOT NULL REFERENCES staff(id),
  duty       TEXT      NOT NULL CHECK (duty IN ('officer','head')),
  granted_by BIGINT    NOT NULL REFERENCES staff(id),
  granted_at TIMESTAMP NOT NULL,
  PRIMARY KEY (organ_id, staff_id)
);

-- The publication catalogue (主动公开目录). created_on is the day the
-- information was created or changed; due_on = 20 working days later
-- (条例 Art. 26). Policy documents carry issued_on/repealed_on: in force
-- on a day D when issued_on <= D and (repealed_on IS NULL or repealed_on
-- > D). doc_kind feeds table 二 of the annual report: policy → rule
-- (规章) | normative (行政规范性文件) | other; decisions → licensing |
-- penalty | enforcement. Entries published automatically from the service
-- catalogue, case publicity, bulletins and annual reports carry their
-- source and source_ref (unique, so republishing is idempotent).
CREATE TABLE disclosure_entries (
  id             INTEGER PRIMARY KEY,
  organ_id       BIGINT    NOT NULL REFERENCES disclosure_organs(id),
  category       TEXT      NOT NULL CHECK (category IN ('functions','policy','plans','budgets','decisions','fees','reports','services','publicity','bulletins','other')),
  doc_kind       TEXT      NOT NULL DEFAULT '' CHECK (doc_kind IN ('','rule','normative','other','licensing','penalty','enforcement')),
  title          TEXT      NOT NULL,
  doc_no         TEXT      NOT NULL DEFAULT '',
  body           TEXT      NOT NULL DEFAULT '',
  link           TEXT      NOT NULL DEFAULT '',
  created_on     TEXT      NOT NULL,
  due_on         TEXT      NOT NULL,
  issued_on      TEXT,
  repealed_on    TEXT,
  status         TEXT      NOT NULL CHECK (status IN ('draft','review','published','withdrawn')),
  source         TEXT      NOT NULL DEFAULT 'manual' CHECK (source IN ('manual','catalogue','publicity','bulletin','report')),
  source_ref     TEXT      NOT NULL DEFAULT '',
  drafted_by     BIGINT    REFERENCES staff(id),
  reviewed_by    BIGINT    REFERENCES staff(id),
  published_by   BIGINT    REFERENCES staff(id),
  published_at   TIMESTAMP,
  published_on   TEXT,
  withdrawn_at   TIMESTAMP,
  withdraw_reason TEXT     NOT NULL DEFAULT '',
  created_at     TIMESTAMP NOT NULL,
  updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX disclosure_entries_organ ON disclosure_entries (organ_id, category, status);
CREATE UNIQUE INDEX disclosure_entries_source ON disclosure_entries (source, source_ref) WHERE source <> 'manual';

-- A request for disclosure (依申请公开). received_on is the legal receipt
-- day by channel (条例 Art. 31: in person the day; post the day signed
-- for; online and fax the day confirmed: an online request is 'filed',
-- with no receipt day, until the office confirms it). clock_from is the day the
-- 20-working-day limit counts from: the receipt day, or the day a
-- requested supplement arrived (Art. 30 restarts it). due_on is the
-- current reply deadline: 20 working days from clock_from, plus the one
-- extension (extension_days, at most 20, approved by the office head,
-- Art. 33), plus paused_days (third-party consultation, Art. 32, and a
-- fee notice's wait, 国办函〔2020〕109号, are not counted). A concluded
-- request has its outcome (one of the 21 rows of table 三 (一)–(六)) and
-- closed_on, the day it counts in that year's report; reply_type is the
-- Art. 36 reply (1–7) when the conclusion was a reply.
CREATE TABLE disclosure_requests (
  id                   INTEGER PRIMARY KEY,
  no                   TEXT      NOT NULL UNIQUE,
  organ_id             BIGINT    NOT NULL REFERENCES disclosure_organs(id),
  applicant_type       TEXT      NOT NULL CHECK (applicant_type IN ('person','business','research','public_interest','legal_service','other_org')),
  applicant_id         BIGINT    REFERENCES applicants(id),
  name                 TEXT      NOT NULL,
  id_number            TEXT      NOT NULL DEFAULT '',
  phone                TEXT      NOT NULL DEFAULT '',
  email                TEXT      NOT NULL DEFAULT '',
  address              TEXT      NOT NULL DEFAULT '',
  channel              TEXT      NOT NULL CHECK (channel IN ('online','post','in_person','fax')),
  content              TEXT      NOT NULL,
  form                 TEXT      NOT NULL DEFAULT 'paper' CHECK (form IN ('paper','electronic','inspect')),
  received_on          TEXT,
  clock_from           TEXT,
  due_on               TEXT,
  status               TEXT      NOT NULL CHECK (status IN ('filed','open','supplement','consulting','fee_due','closed')),
  supplement_asked_on  TEXT,
  supplement_due_on    TEXT,
  supplement_received_on TEXT,
  extension_days       INTEGER   NOT NULL DEFAULT 0 CHECK (extension_days BETWEEN 0 AND 20),
  extension_approved_by BIGINT   REFERENCES staff(id),
  paused_days          INTEGER   NOT NULL DEFAULT 0,
  fee_fen              BIGINT    NOT NULL DEFAULT 0,
  reply_type           INTEGER   CHECK (reply_type BETWEEN 1 AND 7),
  outcome              TEXT      CHECK (outcome IN ('open','partial',
                           'withheld_secret','withheld_law','withheld_safety','withheld_third_party','withheld_internal','withheld_process','withheld_enforcement','withheld_query',
                           'unable_not_held','unable_needs_making','unable_unclear',
                           'declined_petition','declined_repeat','declined_publication','declined_excessive','declined_confirm',
                           'other_no_supplement','other_unpaid','other')),
  closed_on            TEXT,
  created_by           BIGINT    REFERENCES staff(id),
  created_at           TIMESTAMP NOT NULL,
  updated_at           TIMESTAMP NOT NULL,
  CHECK ((outcome IS NULL) = (closed_on IS NULL)),
  CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
  CHECK (status = 'filed' OR (received_on IS NOT NULL AND clock_from IS NOT NULL AND due_on IS NOT NULL))
);
CREATE INDEX disclosure_requests_organ ON disclosure_requests (organ_id, received_on);
CREATE INDEX disclosure_requests_open ON disclosure_requests (status, due_on);
CREATE INDEX disclosure_requests_applicant ON disclosure_requests (applicant_id);

-- Everything that happened to a request, in order: the history the
-- requester and supervision read, and what the clock is recomputed from.
-- kind: filed, supplement_asked, supplement_received, consult_sent,
-- consult_answered, extended, fee_notice, fee_paid, replied, closed, note.
CREATE TABLE disclosure_request_events (
  id           INTEGER PRIMARY KEY,
  request_id   BIGINT    NOT NULL REFERENCES disclosure_requests(id),
  kind         TEXT      NOT NULL,
  day          TEXT      NOT NULL,
  at           TIMESTAMP NOT NULL,
  staff_id     BIGINT    REFERENCES staff(id),
  applicant_id BIGINT    REFERENCES applicants(id),
  note         TEXT      NOT NULL DEFAULT '',
  data         TEXT      NOT NULL DEFAULT '{}'
);
CREATE INDEX disclosure_request_events_request ON disclosure_request_events (request_id, id);

-- Administrative review and litigation over disclosure (table 四):
-- review (行政复议), a suit without review first (未经复议直接起诉) or a
-- suit after review (复议后起诉). result is NULL while pending; a case
-- counts in a year's 维持/纠正/其他 column by concluded_on and as 尚未审结
-- when filed by the year's end and not concluded by then.
CREATE TABLE disclosure_appeals (
  id           INTEGER PRIMARY KEY,
  organ_id     BIGINT    NOT NULL REFERENCES disclosure_organs(id),
  request_id   BIGINT    REFERENCES disclosure_requests(id),
  kind         TEXT      NOT NULL CHECK (kind IN ('review','suit_direct','suit_after_review')),
  filed_on     TEXT      NOT NULL,
  result       TEXT      CHECK (result IN ('maintained','corrected','other')),
  concluded_on TEXT,
  note         TEXT      NOT NULL DEFAULT '',
  recorded_by  BIGINT    NOT NULL REFERENCES staff(id),
  created_at   TIMESTAMP NOT NULL,
  updated_at   TIMESTAMP NOT NULL,
  CHECK ((result IS NULL) = (concluded_on IS NULL))
);
CREATE INDEX disclosure_appeals_organ ON disclosure_appeals (organ_id, filed_on);

-- +goose Down
DROP TABLE disclosure_appeals;
DROP TABLE disclosure_request_events;
DROP TABLE disclosure_requests;
DROP TABLE disclosure_entries;
DROP TABLE disclosure_officers;
DROP TABLE disclosure_organs;
