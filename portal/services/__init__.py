"""The only code that touches the database: views call these small typed functions."""
