"""What Citebot's processes, and its hosts, share: one small interface, two implementations.

```
SharedState            answered Slack events (kept a day), usage and feedback records, the extraction
                       cache, the shelf's article list with content hashes, the build lock,
                       versioned migrations
 ├── SqliteState       STATE_URL=sqlite:///path (the default: EVENTS_DB in STATE_DIR); one machine
 └── PostgresState     STATE_URL=postgresql://…; several hosts (psycopg 3 and its connection pool)
```

Schemas are plain SQL files in `sql/<backend>/NNNN_name.sql`, applied in order at start-up and by
`python -m bot state migrate`, and recorded in `schema_migrations`. Failures to reach the store raise
`StateUnavailable` with one line that says what failed; callers decide what an answer can do without it.
"""

from bot.errors import StateUnavailable
from bot.shared.base import SharedState
from bot.shared.checks import shelf_differences
from bot.shared.extractions import LayeredExtractions, SharedExtractions
from bot.shared.feeds import FeedRow
from bot.shared.opening import describe, open_state
from bot.shared.sqlite import SqliteState

__all__ = [
    "FeedRow",
    "LayeredExtractions",
    "SharedExtractions",
    "SharedState",
    "SqliteState",
    "StateUnavailable",
    "describe",
    "open_state",
    "shelf_differences",
]
