"""One site's safe change: the pipeline, its outcome, reverting a failed change, restoring a
backup."""
