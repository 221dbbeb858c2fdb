//! Sans-IO session state machines for QQ, Bubble and OneBot (heartbeat, resume, subscriptions,
//! close codes), and the tokio driver that joins one to a transport.
