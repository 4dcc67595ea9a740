-- Citebot's shared state, version 1: answered Slack events, usage and feedback, the shelf's articles.
CREATE TABLE IF NOT EXISTS seen (event_id TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS seen_at ON seen (at);

CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    surface TEXT NOT NULL,
    command TEXT NOT NULL,
    found INTEGER NOT NULL,
    question TEXT,
    cited TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_at ON answers (at);

CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    at REAL NOT NULL,
    surface TEXT NOT NULL,
    command TEXT NOT NULL,
    question TEXT,
    cited TEXT NOT NULL,
    positive INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);

CREATE TABLE IF NOT EXISTS articles (
    name TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    host TEXT NOT NULL,
    at REAL NOT NULL
);
