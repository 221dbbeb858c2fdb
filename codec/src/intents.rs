//! The QQ intents bitmask.
