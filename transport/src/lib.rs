//! Sockets and HTTP: the WebSocket client (plain and rustls), the OneBot reverse-WS listener
//! and the HTTP client for QQ token fetch, gateway discovery and REST sends.
