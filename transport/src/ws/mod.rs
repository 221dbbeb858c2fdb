//! WebSocket: the client ([`connect`]), the connection ([`WsStream`]) and the reverse-WS
//! server for OneBot ([`Listener`]).

mod auth;
mod budgeted;
mod burst;
mod connect;
mod dial;
mod listener;
mod options;
mod stream;
mod tcp;
mod upgrade;

pub use connect::{connect, uses_tls};
pub use http::{HeaderName, HeaderValue};
pub use listener::{Listener, ListenerConfig, PeerInfo};
pub use options::{
    ConnectOptions, CURRENT_THREAD_READ_BUFFER_SIZE, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_LISTENER_READ_BUFFER_SIZE, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_READ_BUFFER_SIZE,
};
pub use stream::{Message, WsStream};
pub use tcp::{ReceiveBuffer, DEFAULT_LOOPBACK_RECEIVE_BUFFER};
