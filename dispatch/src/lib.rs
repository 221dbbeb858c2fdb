//! Handler routing: the typed `Handlers` registry, intents from handlers, per-conversation
//! ordering with bounded concurrency, dedupe, and unified handlers with filters.
