"""Redis: only what can be rebuilt or is transient (queues, locks, buckets, progress, caches)."""
