"""Infrastructure every domain builds on: settings, database, security, tasks, the outbox."""
