"""Drills (設置運営訓練): run a scenario's injects from a schedule in the database, keep what
a drill makes apart from real work (every row carries the drill's id), evaluate, report."""
