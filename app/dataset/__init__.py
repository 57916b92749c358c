"""The build: curated files in, validated public records and table rows out, written atomically."""
