-- Version 2: an answered event is first claimed, then done. A claim whose host never acknowledged the
-- event (it lost the database mid-request, or died) can be taken over by a retry once it is stale.
-- Rows from before this version were answered: they count as done.
ALTER TABLE seen ADD COLUMN done INTEGER NOT NULL DEFAULT 1;
