"""Work that runs without a request: the mailroom, the check-out sweeper, the importer, backups, the demo."""
