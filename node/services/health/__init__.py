"""What the node says about itself: database and schema status, and the state of its backups."""
