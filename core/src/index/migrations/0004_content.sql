-- Keepsake schema v4: content likelihoods and face quality.

-- Scope `pixels`: document likelihood next to the screenshot likelihood (0..1).
ALTER TABLE photo_signals ADD COLUMN document_like REAL;

-- Scope `faces`: how usable each face is (see vision/face_quality.rs).
ALTER TABLE faces ADD COLUMN frontal REAL;
ALTER TABLE faces ADD COLUMN eye_sharpness REAL;
ALTER TABLE faces ADD COLUMN quality REAL;
