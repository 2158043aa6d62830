-- +goose Up
-- Issue 15 remainder: the queue's figures in a published bulletin, and
-- half-day leave.
--
-- A published bulletin freezes the queue's figures of its period beside the
-- case figures (JSON of bulletin.Queue; NULL for bulletins published before
-- the queue table existed, which show none).
ALTER TABLE published_bulletins ADD COLUMN queue_figures TEXT;

-- Half-day leave (半天假): '' a whole day per day of the span, 'am' the
-- morning or 'pm' the afternoon of a one-day request (from_day = to_day);
-- the day's judgement treats the other half as a normal working half.
ALTER TABLE leave_requests ADD COLUMN half TEXT NOT NULL DEFAULT '' CHECK (half IN ('', 'am', 'pm'));

-- +goose Down
ALTER TABLE leave_requests DROP COLUMN half;
ALTER TABLE published_bulletins DROP COLUMN queue_figures;
