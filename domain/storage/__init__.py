"""How events reach the disk: the recorder, the mapper, the committer, the key vaults. Imports no aggregate."""
