-- Version 4: an event is recorded with its body and the process that claimed it before it is
-- acknowledged, and marked answered once its answer was posted. An event acknowledged but never
-- answered (its process died) is answered on restart, once. Rows from before were answered.
ALTER TABLE seen ADD COLUMN body TEXT;
ALTER TABLE seen ADD COLUMN owner TEXT;
ALTER TABLE seen ADD COLUMN answered INTEGER NOT NULL DEFAULT 1;
