-- Keepsake schema v10: edited copies.

-- Scope `pixels`: perceptual hashes of each photo's mirror image and of five 80 %
-- windows (see vision/edits.rs), so crops, mirror images and filtered copies saved at
-- other times count as near-duplicates in selection.
ALTER TABLE photo_signals ADD COLUMN edit_hashes BLOB;
