-- Keepsake schema v7: photos whose pixels only the host app has.

-- Scope `pixels`: the analysis run in which a transient host answer (not downloaded,
-- busy) was recorded for a photo; a later run asks the host again, the same run never
-- does. Permanent failures (gone, permission denied, host error, decode errors) keep it
-- NULL and are not retried until the photo changes.
ALTER TABLE photo_signals ADD COLUMN attempt_run INTEGER;
