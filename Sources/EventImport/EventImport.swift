// The importer of real event logs: streamed CSV and JSONL into per-day usage.
