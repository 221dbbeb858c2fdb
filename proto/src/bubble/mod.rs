//! Bubble open-gateway payloads: the union of the 2025-12 and 2026-03 schemas, ids as integers.
