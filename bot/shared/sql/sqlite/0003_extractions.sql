-- Version 3: what was extracted from saved pages and PDFs, by the bytes' hash and the extractor's
-- version, so that hosts sharing the articles extract each page once between them.
CREATE TABLE IF NOT EXISTS extractions (key TEXT PRIMARY KEY, record TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS extractions_at ON extractions (at);
