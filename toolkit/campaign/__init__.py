"""The campaign folder: campaign.yaml, roster, the SQLite ledger (all SQL lives here), the lock, status."""
