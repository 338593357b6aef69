"""The campaign folder: campaign.yaml, roster, the SQLite ledger (all SQL lives here), the lock, status."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["carried", "config", "folder", "journal", "ledger", "lock", "status", "store"]
