//! Wire decode and encode: frame scan without parsing `d`, typed decode on demand, command
//! encoders, intents, CQ codes and the unified mapping.
