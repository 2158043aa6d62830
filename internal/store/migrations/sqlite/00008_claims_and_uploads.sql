-- +goose Up
-- Issue 10: claiming applicant accounts with proof, and files that belong
-- to someone.

-- Outgoing text messages. Whoever needs to tell a citizen something writes
-- a row in the same transaction as the change it reports; a sender delivers
-- it later (there is no SMS gateway yet: the log sender stands in).
CREATE TABLE sms_outbox (
  id         INTEGER PRIMARY KEY,
  phone      TEXT NOT NULL,
  text       TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  sent_at    TIMESTAMP
);
CREATE INDEX sms_outbox_unsent ON sms_outbox(id) WHERE sent_at IS NULL;
-- Texts to one phone in the last hour: registrations text a phone the
-- visitor names, which must not become a way to flood someone's phone.
CREATE INDEX sms_outbox_phone ON sms_outbox(phone, created_at);

-- A pending proof of identity: an online registration waiting for the code
-- texted to a phone, or a claim a clerk opened at the window after checking
-- the ID card. The code is kept only as a hash; the row is not the record
-- (nothing here is evidence) and is deleted a day after it expires.
CREATE TABLE applicant_claims (
  id             INTEGER PRIMARY KEY,
  purpose        TEXT NOT NULL CHECK (purpose IN ('new','claim','taken','window')),
  applicant_id   BIGINT REFERENCES applicants(id),
  kind           TEXT NOT NULL,
  id_number      TEXT NOT NULL,
  name           TEXT NOT NULL DEFAULT '',
  contact_name   TEXT NOT NULL DEFAULT '',
  phone          TEXT NOT NULL DEFAULT '',
  email          TEXT NOT NULL DEFAULT '',
  check_override BOOLEAN NOT NULL DEFAULT FALSE,
  password_hash  TEXT NOT NULL DEFAULT '',
  code_hash      TEXT NOT NULL,
  attempts       INTEGER NOT NULL DEFAULT 0,
  created_at     TIMESTAMP NOT NULL,
  expires_at     TIMESTAMP NOT NULL,
  used_at        TIMESTAMP
);
CREATE INDEX applicant_claims_number ON applicant_claims(id_number, created_at);
CREATE INDEX applicant_claims_expires ON applicant_claims(expires_at);

-- Registrations and wrong codes, per ID number and per client address, so
-- every server process counts the same (like login_failures).
CREATE TABLE register_attempts (
  id        INTEGER PRIMARY KEY,
  id_number TEXT NOT NULL,
  address   TEXT NOT NULL,
  at        TIMESTAMP NOT NULL
);
CREATE INDEX register_attempts_number ON register_attempts(id_number, at);
CREATE INDEX register_attempts_address ON register_attempts(address, at);

-- Who uploaded which bytes. Two people may upload identical bytes (one
-- stored file): ownership is this binding, not a property of the blob.
CREATE TABLE file_owners (
  sha256      TEXT NOT NULL,
  owner_kind  TEXT NOT NULL CHECK (owner_kind IN ('applicant','staff')),
  owner_id    BIGINT NOT NULL,
  size        BIGINT NOT NULL,
  created_at  TIMESTAMP NOT NULL,
  attached_at TIMESTAMP,
  PRIMARY KEY (sha256, owner_kind, owner_id)
);
CREATE INDEX file_owners_owner ON file_owners(owner_kind, owner_id, created_at);
CREATE INDEX file_owners_unattached ON file_owners(created_at) WHERE attached_at IS NULL;
CREATE INDEX case_materials_file ON case_materials(file_sha256) WHERE file_sha256 <> '';

-- +goose Down
DROP INDEX case_materials_file;
DROP TABLE file_owners;
DROP TABLE register_attempts;
DROP TABLE applicant_claims;
DROP TABLE sms_outbox;
