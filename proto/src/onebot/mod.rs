//! OneBot v11 events, message segments and the action envelope.
