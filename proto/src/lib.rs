//! Plain data for every platform botgate speaks: QQ Bot gateway payloads, Bubble open-gateway
//! payloads, OneBot v11 events and the unified event model. serde types only: no I/O.
