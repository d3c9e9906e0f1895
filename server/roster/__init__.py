"""The roster: staff, volunteers and interpreters with their languages, skills and shifts."""
