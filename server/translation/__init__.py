"""Translation work: planning languages, machine jobs and their drain, review, memory, TMX."""
