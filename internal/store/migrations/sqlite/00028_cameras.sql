-- +goose Up
-- Camera links (电子监控, issue 15 §5; docs/ARCHITECTURE.md §22). OneStop
-- stores no video and no recorder password: a recorder is an address and
-- a playback form, a camera a channel on it, bound to one window or to a
-- named hall area. A link to "the recording at that time" is built on
-- demand, and each opening is a row of camera_views (and of the audit
-- log), the access record (访问记录) supervision reads.
CREATE TABLE camera_recorders (
  id            INTEGER PRIMARY KEY,
  centre_id     BIGINT    NOT NULL REFERENCES centres(id),
  name          TEXT      NOT NULL,
  brand         TEXT      NOT NULL CHECK (brand IN ('hikvision','dahua','gb28181','custom')),
  host          TEXT      NOT NULL DEFAULT '',
  port          INTEGER   NOT NULL DEFAULT 554,
  device_id     TEXT      NOT NULL DEFAULT '',
  time_zone     TEXT      NOT NULL DEFAULT 'Asia/Shanghai',
  time_mode     TEXT      NOT NULL DEFAULT 'local' CHECK (time_mode IN ('local','utc')),
  template      TEXT      NOT NULL DEFAULT '',
  before_min    INTEGER   NOT NULL DEFAULT 3,
  after_min     INTEGER   NOT NULL DEFAULT 5,
  created_at    TIMESTAMP NOT NULL,
  updated_at    TIMESTAMP NOT NULL,
  retired_at    TIMESTAMP
);
CREATE INDEX camera_recorders_centre ON camera_recorders(centre_id);

-- channel: the channel number (Hikvision, Dahua, custom) or the GB/T
-- 28181 channel ID. Exactly one of window_id and area says where it looks.
CREATE TABLE cameras (
  id            INTEGER PRIMARY KEY,
  recorder_id   BIGINT    NOT NULL REFERENCES camera_recorders(id),
  centre_id     BIGINT    NOT NULL REFERENCES centres(id),
  name          TEXT      NOT NULL,
  channel       TEXT      NOT NULL,
  window_id     BIGINT    REFERENCES windows(id),
  area          TEXT      NOT NULL DEFAULT '',
  created_at    TIMESTAMP NOT NULL,
  updated_at    TIMESTAMP NOT NULL,
  retired_at    TIMESTAMP,
  CHECK ((window_id IS NULL AND area <> '') OR (window_id IS NOT NULL AND area = ''))
);
CREATE UNIQUE INDEX cameras_channel ON cameras(recorder_id, channel) WHERE retired_at IS NULL;
CREATE INDEX cameras_window ON cameras(window_id);

-- Each opening of a recording link: who, which camera, which span, from
-- what (a case event, a rating, a complaint, a queue ticket).
CREATE TABLE camera_views (
  id            INTEGER PRIMARY KEY,
  at            TIMESTAMP NOT NULL,
  staff_id      BIGINT    NOT NULL REFERENCES staff(id),
  staff_name    TEXT      NOT NULL,
  role          TEXT      NOT NULL,
  address       TEXT      NOT NULL,
  centre_id     BIGINT    NOT NULL REFERENCES centres(id),
  camera_id     BIGINT    NOT NULL REFERENCES cameras(id),
  window_id     BIGINT    REFERENCES windows(id),
  source        TEXT      NOT NULL CHECK (source IN ('case','rating','complaint','ticket')),
  source_ref    TEXT      NOT NULL,
  moment        TIMESTAMP NOT NULL,
  span_start    TIMESTAMP NOT NULL,
  span_end      TIMESTAMP NOT NULL
);
CREATE INDEX camera_views_centre ON camera_views(centre_id, at);

-- +goose Down
DROP TABLE camera_views;
DROP TABLE cameras;
DROP TABLE camera_recorders;
