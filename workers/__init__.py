"""RQ side of Syncline: thin job functions, the worker and the cron scheduler."""
