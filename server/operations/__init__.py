"""The center's life: phases, checklists, the activity log, shifts and handover, reports."""
