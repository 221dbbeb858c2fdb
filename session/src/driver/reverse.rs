//! OneBot reverse WebSocket: the implementation connects to our listener; each accepted
//! connection runs its own OneBot machine (which never dials).

use std::time::Instant;

use botgate_transport::ws::{Listener, PeerInfo};

use super::config::DriverConfig;
use super::handle::DriverHandle;
use crate::event::SessionEvent;
use crate::onebot;

/// One accepted OneBot connection with its driver.
#[derive(Debug)]
#[non_exhaustive]
pub struct Accepted {
    /// Who connected (`X-Self-ID` if sent, address, path).
    pub peer: PeerInfo,
    /// What the connection carries, from its `X-Client-Role` (none: Universal).
    pub role: onebot::ClientRole,
    /// The connection's driver (`call`, `shutdown`; `join` returns the machine when the
    /// connection ends).
    pub handle: DriverHandle<onebot::Session>,
    /// The connection's events; `None` once the connection is over.
    pub events: super::EventReceiver<SessionEvent>,
}

/// Waits for the next authenticated connection on `listener` and runs a OneBot session on it
/// (`session` should be [`onebot::Config::reverse`]-like: no URL; its `X-Self-ID` is used as
/// a hint when sent). The session is `session` [`for_role`](onebot::Config::for_role) the
/// connection's `X-Client-Role`: an `API` connection runs without the watchdog. Cancel safe
/// (the listener keeps a connection not yet returned).
pub async fn accept_onebot(
    listener: &mut Listener,
    session: &onebot::Config,
    config: &DriverConfig,
) -> Result<Accepted, botgate_transport::Error> {
    let (stream, peer) = listener.accept().await?;
    let role = onebot::ClientRole::from_header(peer.role.as_deref());
    let mut machine = onebot::Session::new(session.clone().for_role(role), Instant::now());
    if let Some(self_id) = peer.self_id {
        machine.set_self_id_hint(self_id);
    }
    tracing::info!(addr = %peer.addr, self_id = ?peer.self_id, %role, "OneBot reverse connection accepted");
    let (handle, events) = super::run_accepted(stream, machine, config);
    Ok(Accepted {
        peer,
        role,
        handle,
        events,
    })
}
