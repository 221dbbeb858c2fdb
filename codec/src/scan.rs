//! Top-level key scan of a JSON object without parsing nested values.
