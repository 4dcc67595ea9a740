-- Version 5: the feeds and sitemaps the shelf follows, and the entries taken from each, so that hosts
-- sharing the state poll each feed once between them and never take an entry twice.
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    added_by TEXT NOT NULL,
    added_at DOUBLE PRECISION NOT NULL,
    every_s DOUBLE PRECISION NOT NULL,
    next_at DOUBLE PRECISION NOT NULL,
    checked_at DOUBLE PRECISION,
    etag TEXT,
    last_modified TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    taken INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed TEXT NOT NULL,
    link TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (feed, link)
);
