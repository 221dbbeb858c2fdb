//! OneBot v11: event decode, segments, CQ codes and the action envelope.
