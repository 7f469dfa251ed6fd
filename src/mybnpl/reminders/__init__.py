"""Due dates and local reminders (issue 5). Pure logic with the clock passed in: model (status of a due),
matching (repayment rows), plan (which reminder fires when), text, ics, weeks; clock finds the local zone and
autostart writes the login entry (the only I/O here)."""
