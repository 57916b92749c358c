"""The read path: engines, migrations, the read-only reader, the loaded dataset, queries."""
