-- +goose Up
-- Bundled fees and payment (issue 14 §2, docs/DOMAIN.md §19): one payment
-- notice (缴款通知书) carries every fee of one case or of all sub-cases of
-- a bundle; its lines keep the catalogue standard beside the amount
-- charged and the reason for any difference, so supervision sees a
-- deviation. Payments and refunds are rows of their own; a bank statement
-- line is remembered by its key (the bank's transaction id, or a hash of
-- the line) so an import never applies anything twice.
CREATE TABLE payment_notices (
  id            INTEGER PRIMARY KEY,
  ref           TEXT    NOT NULL UNIQUE,
  centre_id     BIGINT  NOT NULL REFERENCES centres(id),
  total_fen     BIGINT  NOT NULL,
  paid_fen      BIGINT  NOT NULL DEFAULT 0,
  refunded_fen  BIGINT  NOT NULL DEFAULT 0,
  state         TEXT    NOT NULL,
  issued_by     BIGINT  NOT NULL REFERENCES staff(id),
  issued_at     TIMESTAMP NOT NULL,
  paid_at       TIMESTAMP
);
CREATE INDEX payment_notices_centre ON payment_notices(centre_id, state, issued_at);

CREATE TABLE payment_notice_lines (
  id            INTEGER PRIMARY KEY,
  notice_id     BIGINT  NOT NULL REFERENCES payment_notices(id),
  case_id       BIGINT  NOT NULL REFERENCES cases(id),
  seq           INTEGER NOT NULL,
  name          TEXT    NOT NULL,
  basis         TEXT    NOT NULL,
  standard_fen  BIGINT  NOT NULL,
  amount_fen    BIGINT  NOT NULL,
  reason        TEXT    NOT NULL DEFAULT '',
  UNIQUE (notice_id, case_id, seq)
);
CREATE INDEX payment_notice_lines_case ON payment_notice_lines(case_id);

CREATE TABLE payments (
  id            INTEGER PRIMARY KEY,
  notice_id     BIGINT  NOT NULL REFERENCES payment_notices(id),
  kind          TEXT    NOT NULL,
  amount_fen    BIGINT  NOT NULL,
  method        TEXT    NOT NULL,
  receipt_no    TEXT    NOT NULL DEFAULT '',
  reason        TEXT    NOT NULL DEFAULT '',
  bank_key      TEXT,
  recorded_by   BIGINT  REFERENCES staff(id),
  recorded_at   TIMESTAMP NOT NULL
);
CREATE INDEX payments_notice ON payments(notice_id, recorded_at);

CREATE TABLE bank_lines (
  id            INTEGER PRIMARY KEY,
  centre_id     BIGINT  NOT NULL REFERENCES centres(id),
  line_key      TEXT    NOT NULL,
  ref           TEXT    NOT NULL DEFAULT '',
  amount_fen    BIGINT  NOT NULL DEFAULT 0,
  outcome       TEXT    NOT NULL,
  imported_by   BIGINT  REFERENCES staff(id),
  imported_at   TIMESTAMP NOT NULL,
  UNIQUE (centre_id, line_key)
);

-- The case's payment fact, kept by the payments package in the notice's
-- and the payment's own transactions: '' no notice, 'due', 'paid'. The
-- delivery rule (cases.ActDeliver) reads it without importing payments.
ALTER TABLE cases ADD COLUMN payment TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cases DROP COLUMN payment;
DROP TABLE bank_lines;
DROP TABLE payments;
DROP TABLE payment_notice_lines;
DROP TABLE payment_notices;
