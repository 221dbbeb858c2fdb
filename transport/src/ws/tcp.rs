//! The TCP sockets under both ends, and how their kernel receive buffer (`SO_RCVBUF`) is sized
//! (decision 0042).
//!
//! Linux sizes a connection's receive buffer by autotuning: it grows with the bytes read per
//! round trip. On loopback a round trip takes microseconds, so under a flood the buffer stays
//! near its initial size (about 0.5 MiB measured) and the window it advertises is small: the
//! reader drains the socket every few hundred events and goes back through the poller, and
//! each read's window update runs the sender's next transmission in the reader's time. A
//! fixed buffer set before the connection is made (the window scale is agreed in the
//! handshake) keeps a burst queued. On any other path autotuning grows the buffer with the
//! round trip, which a fixed size would cap, so the fixed size is for loopback peers only
//! unless asked for.

use std::io;
use std::net::{IpAddr, SocketAddr};

use tokio::net::{lookup_host, TcpListener, TcpSocket, TcpStream, ToSocketAddrs};

/// The receive buffer requested for a loopback peer under [`ReceiveBuffer::Auto`]: 1 MiB
/// (Linux doubles a request for its bookkeeping and caps it at `net.core.rmem_max`).
pub const DEFAULT_LOOPBACK_RECEIVE_BUFFER: u32 = 1 << 20;

/// The pending-connection queue of a [`Listener`](super::Listener) (tokio's own default).
const LISTEN_BACKLOG: u32 = 1024;

/// How a connection's kernel receive buffer (`SO_RCVBUF`) is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReceiveBuffer {
    /// [`DEFAULT_LOOPBACK_RECEIVE_BUFFER`] when the peer is on loopback (a OneBot
    /// implementation on the same host, the simulator), the kernel's autotuning otherwise.
    #[default]
    Auto,
    /// The kernel's autotuning, whatever the peer.
    Kernel,
    /// This many bytes, whatever the peer: the kernel's autotuning is off, so on a path with a
    /// long round trip this caps the throughput at about this many bytes per round trip.
    Fixed(u32),
}

impl ReceiveBuffer {
    /// The size to request for a connection whose peer (a client's) or own address (a
    /// listener's: it accepts only loopback peers when bound to loopback) is `ip`; `None`
    /// leaves the kernel's autotuning on.
    pub(crate) fn size_for(self, ip: IpAddr) -> Option<u32> {
        match self {
            Self::Auto if is_loopback(ip) => Some(DEFAULT_LOOPBACK_RECEIVE_BUFFER),
            Self::Auto | Self::Kernel => None,
            Self::Fixed(bytes) => Some(bytes),
        }
    }
}

/// Loopback, including an IPv4 loopback address written as IPv6 (`::ffff:127.0.0.1`).
fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn socket_for(addr: SocketAddr) -> io::Result<TcpSocket> {
    match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
}

/// Connects to `addr` with the receive buffer `buffer` gives its peer.
async fn connect_addr(addr: SocketAddr, buffer: ReceiveBuffer) -> io::Result<TcpStream> {
    let socket = socket_for(addr)?;
    if let Some(bytes) = buffer.size_for(addr.ip()) {
        socket.set_recv_buffer_size(bytes)?;
    }
    socket.connect(addr).await
}

/// Connects to the first address of `host` that accepts, as `TcpStream::connect` does: each
/// resolved address in turn, the last error when none accepts.
pub(crate) async fn connect(
    host: impl ToSocketAddrs,
    buffer: ReceiveBuffer,
) -> io::Result<TcpStream> {
    first_that_works(host, |addr| connect_addr(addr, buffer)).await
}

/// Binds a listener on the first address of `addr` that binds, as `TcpListener::bind` does,
/// with the receive buffer `buffer` gives its address (inherited by accepted connections).
pub(crate) async fn bind(
    addr: impl ToSocketAddrs,
    buffer: ReceiveBuffer,
) -> io::Result<TcpListener> {
    first_that_works(addr, |addr| std::future::ready(bind_addr(addr, buffer))).await
}

/// `attempt` on each address `addrs` resolves to, until one works; the last error when none
/// does.
async fn first_that_works<T, F>(
    addrs: impl ToSocketAddrs,
    mut attempt: impl FnMut(SocketAddr) -> F,
) -> io::Result<T>
where
    F: std::future::Future<Output = io::Result<T>>,
{
    let mut last = None;
    for addr in lookup_host(addrs).await? {
        match attempt(addr).await {
            Ok(done) => return Ok(done),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to nothing",
        )
    }))
}

fn bind_addr(addr: SocketAddr, buffer: ReceiveBuffer) -> io::Result<TcpListener> {
    let socket = socket_for(addr)?;
    // As `TcpListener::bind`: a restarted server binds again at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    if let Some(bytes) = buffer.size_for(addr.ip()) {
        socket.set_recv_buffer_size(bytes)?;
    }
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn auto_fixes_the_buffer_for_loopback_peers_only() {
        let local = [
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::new(127, 3, 2, 1)),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()),
        ];
        for ip in local {
            assert_eq!(
                ReceiveBuffer::Auto.size_for(ip),
                Some(DEFAULT_LOOPBACK_RECEIVE_BUFFER),
                "{ip}"
            );
            assert_eq!(ReceiveBuffer::Kernel.size_for(ip), None, "{ip}");
        }
        let remote = [
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        ];
        for ip in remote {
            assert_eq!(ReceiveBuffer::Auto.size_for(ip), None, "{ip}");
            assert_eq!(ReceiveBuffer::Fixed(4096).size_for(ip), Some(4096), "{ip}");
        }
    }

    /// The receive buffer the kernel gives a connected socket.
    fn receive_buffer_of(stream: TcpStream) -> u32 {
        TcpSocket::from_std_stream(stream.into_std().unwrap())
            .recv_buffer_size()
            .unwrap()
    }

    #[tokio::test]
    async fn a_loopback_connection_gets_the_fixed_buffer_and_kernel_leaves_autotuning() {
        let listener = bind("127.0.0.1:0", ReceiveBuffer::Kernel).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = async { listener.accept().await.map(|(s, _)| s) };

        let (auto, server) = tokio::join!(connect(addr, ReceiveBuffer::Auto), accept);
        let (auto, server) = (auto.unwrap(), server.unwrap());
        let accept = async { listener.accept().await.map(|(s, _)| s) };
        let fixed = connect(addr, ReceiveBuffer::Fixed(DEFAULT_LOOPBACK_RECEIVE_BUFFER));
        let (fixed, _server2) = tokio::join!(fixed, accept);
        let accept = async { listener.accept().await.map(|(s, _)| s) };
        let (kernel, _server3) = tokio::join!(connect(addr, ReceiveBuffer::Kernel), accept);

        let auto = receive_buffer_of(auto);
        // The same request gives the same buffer (whatever the kernel's cap makes of it) ...
        assert_eq!(auto, receive_buffer_of(fixed.unwrap()));
        // ... and one the kernel would not start a connection with.
        assert_ne!(auto, receive_buffer_of(kernel.unwrap()));
        // The accepted side of a `Kernel` listener is left to the kernel too.
        assert_ne!(auto, receive_buffer_of(server));
    }

    #[tokio::test]
    async fn a_loopback_listener_passes_its_buffer_to_accepted_connections() {
        let listener = bind("127.0.0.1:0", ReceiveBuffer::Auto).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = async { listener.accept().await.map(|(s, _)| s) };
        let (client, server) = tokio::join!(connect(addr, ReceiveBuffer::Auto), accept);
        assert_eq!(
            receive_buffer_of(server.unwrap()),
            receive_buffer_of(client.unwrap())
        );
    }

    #[tokio::test]
    async fn a_host_that_refuses_gives_the_connect_error() {
        // Bound, then dropped: nothing listens on the port.
        let addr = bind("127.0.0.1:0", ReceiveBuffer::Kernel)
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let err = connect(addr, ReceiveBuffer::Auto).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    }
}
