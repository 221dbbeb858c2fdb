//! One accepted reverse-WS connection: learns which account it carries (`X-Self-ID`, else the
//! first event with a non-zero `self_id`: Waylay sends 0 before its QQ login), waits for its
//! turn on that account, then carries its events into the account's dispatcher.
//!
//! An `API` connection (`X-Client-Role`, decision 0057) must name its account in `X-Self-ID`
//! (it sends no events to learn it from); it takes no turn and dispatches nothing, it only
//! carries the account's actions.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use botgate_dispatch::onebot::OneBot;
use botgate_dispatch::{BotError, BotErrorKind};
use botgate_session::driver::{DriverHandle, EventReceiver};
use botgate_session::onebot::{ClientRole, EventFrame};
use botgate_session::{onebot, SessionEvent};
use botgate_transport::ws::PeerInfo;
use tokio::sync::watch;

use super::notice::ReverseNotice;
use super::registry::{Account, Binding, Registry};
use crate::bot::glue::Glue;
use crate::bot::running::Lifecycle;

/// Events kept while the account is not known yet; past that the oldest go (they are the
/// meta events of an implementation that has not logged in).
const EARLY_LIMIT: usize = 1024;

/// Runs connection `conn` until it ends (closed by either side, or the listener shuts down).
pub(super) async fn run(
    registry: Arc<Registry>,
    conn: u64,
    (peer, role, mut events): (PeerInfo, ClientRole, EventReceiver<SessionEvent>),
    driver: Arc<DriverHandle<onebot::Session>>,
    lifecycle: watch::Sender<Lifecycle>,
) {
    let _live = LiveGuard {
        registry: Arc::clone(&registry),
        conn,
    };
    let addr = peer.addr;
    registry.notify(ReverseNotice::Connected {
        conn,
        addr,
        self_id: peer.self_id.map(|id| id.to_string()),
        role: peer.role.clone(),
    });
    let this = Conn {
        registry: &registry,
        conn,
        addr,
        driver: &driver,
        lifecycle: &lifecycle,
    };
    if role == ClientRole::Api {
        return serve_api(this, peer.self_id, events).await;
    }
    let (self_id, early) = match identify(&mut events, peer.self_id).await {
        Ok(known) => known,
        Err((early, reason)) => {
            if !early.is_empty() {
                tracing::warn!(
                    %addr,
                    events = early.len(),
                    "reverse connection ended before its self_id was known: its events had no account"
                );
            }
            lifecycle.send_modify(|l| l.stopped = Some(reason.clone()));
            registry.notify(ReverseNotice::Disconnected {
                conn,
                addr,
                self_id: None,
                reason,
            });
            return;
        }
    };
    let Some(turn) = registry.bind(self_id, this.binding(role)).await else {
        this.refuse_full(self_id).await;
        return;
    };
    lifecycle.send_modify(|l| {
        l.self_id = Some(self_id.to_string());
        l.readies += 1;
    });
    tracing::info!(%addr, self_id, conn, %role, "OneBot reverse connection serves its account");
    let account = Arc::clone(&turn.account);
    for bytes in early {
        dispatch(&account, &lifecycle, bytes).await;
    }
    let reason = loop {
        match events.recv().await {
            Some(SessionEvent::Event(frame)) => dispatch(&account, &lifecycle, frame).await,
            Some(SessionEvent::SelfId(other)) if other != self_id => tracing::warn!(
                self_id,
                other,
                "the connection now reports another self_id; its events stay with the first"
            ),
            Some(SessionEvent::Fatal(error)) => break error.to_string(),
            Some(SessionEvent::Stopped) | None => break String::new(),
            Some(other) => tracing::trace!(event = ?other, "reverse connection event"),
        }
    };
    tracing::info!(%addr, self_id, conn, %reason, "OneBot reverse connection ended");
    turn.end(&registry, &reason);
    lifecycle.send_modify(|l| l.stopped = Some(reason));
}

/// What a connection's task refers to.
#[derive(Clone, Copy)]
struct Conn<'a> {
    registry: &'a Registry,
    conn: u64,
    addr: SocketAddr,
    driver: &'a Arc<DriverHandle<onebot::Session>>,
    lifecycle: &'a watch::Sender<Lifecycle>,
}

impl Conn<'_> {
    /// The connection as it binds to its account, in `role`.
    fn binding(&self, role: ClientRole) -> Binding {
        Binding {
            conn: self.conn,
            addr: self.addr,
            role,
            driver: Arc::clone(self.driver),
        }
    }

    /// Refuses the connection: the account limit is reached.
    async fn refuse_full(&self, self_id: i64) {
        tracing::warn!(addr = %self.addr, self_id, conn = self.conn, "reverse connection refused: the account limit is reached");
        self.refuse(Some(self_id), "too many accounts").await;
    }

    /// Closes the connection before it serves any account.
    async fn refuse(&self, self_id: Option<i64>, reason: &str) {
        let _ = self
            .driver
            .with_machine(botgate_session::SessionMachine::close)
            .await;
        self.lifecycle
            .send_modify(|l| l.stopped = Some(reason.to_owned()));
        self.registry.notify(ReverseNotice::Disconnected {
            conn: self.conn,
            addr: self.addr,
            self_id: self_id.map(|id| id.to_string()),
            reason: reason.to_owned(),
        });
    }
}

/// Runs an `API` connection: it carries its account's actions (named by `X-Self-ID`, which
/// it must send) until it ends or a newer `API` connection of the account closes it. It is
/// not watched for silence (its session has no watchdog) and dispatches nothing.
async fn serve_api(this: Conn<'_>, header: Option<i64>, mut events: EventReceiver<SessionEvent>) {
    let Conn {
        registry,
        conn,
        addr,
        lifecycle,
        ..
    } = this;
    let Some(self_id) = header.filter(|id| *id != 0) else {
        tracing::warn!(
            %addr,
            conn,
            "an API reverse connection without X-Self-ID is closed: no account's actions could go over it"
        );
        this.refuse(None, "an API connection without X-Self-ID")
            .await;
        return;
    };
    let Some(turn) = registry
        .bind_api(self_id, this.binding(ClientRole::Api))
        .await
    else {
        this.refuse_full(self_id).await;
        return;
    };
    lifecycle.send_modify(|l| {
        l.self_id = Some(self_id.to_string());
        l.readies += u64::from(turn.serving);
    });
    if turn.serving {
        tracing::info!(%addr, self_id, conn, "OneBot reverse API connection carries its account's actions");
    }
    let reason = loop {
        match events.recv().await {
            Some(SessionEvent::Event(_)) => tracing::debug!(
                self_id,
                conn,
                "an event on an API connection is dropped (the Event connection carries them)"
            ),
            Some(SessionEvent::Fatal(error)) => break error.to_string(),
            Some(SessionEvent::Stopped) | None => break String::new(),
            Some(other) => tracing::trace!(event = ?other, "reverse API connection event"),
        }
    };
    tracing::info!(%addr, self_id, conn, %reason, "OneBot reverse API connection ended");
    turn.end(registry, &reason);
    lifecycle.send_modify(|l| l.stopped = Some(reason));
}

/// Reads until the connection's account is known: its `self_id` and the events read before;
/// or, if the connection ended first, those events and why it ended.
async fn identify(
    events: &mut EventReceiver<SessionEvent>,
    header: Option<i64>,
) -> Result<(i64, VecDeque<EventFrame>), (VecDeque<EventFrame>, String)> {
    let mut early = VecDeque::new();
    if let Some(id) = header.filter(|id| *id != 0) {
        return Ok((id, early));
    }
    loop {
        let learnt = match events.recv().await {
            Some(SessionEvent::SelfId(id)) => Some(id),
            Some(SessionEvent::Ready(ready)) => ready.bot_id.and_then(|id| id.parse().ok()),
            Some(SessionEvent::Event(frame)) => {
                if early.len() == EARLY_LIMIT {
                    early.pop_front();
                    tracing::debug!("reverse connection: oldest event before the self_id dropped");
                }
                early.push_back(frame);
                None
            }
            Some(SessionEvent::Fatal(error)) => return Err((early, error.to_string())),
            Some(SessionEvent::Stopped) | None => return Err((early, String::new())),
            Some(other) => {
                tracing::trace!(event = ?other, "reverse connection event");
                None
            }
        };
        if let Some(id) = learnt.filter(|id| *id != 0) {
            return Ok((id, early));
        }
    }
}

async fn dispatch(account: &Account, lifecycle: &watch::Sender<Lifecycle>, frame: EventFrame) {
    match <OneBot as Glue>::from_event(frame) {
        Ok(Some(input)) => {
            lifecycle.send_modify(|l| l.dispatched += 1);
            account.lifecycle.send_modify(|l| l.dispatched += 1);
            account.dispatcher.dispatch(input).await;
        }
        Ok(None) => {}
        Err(e) => account.dispatcher.report(BotError::with_source(
            BotErrorKind::Decode {
                event_type: "<envelope>".into(),
            },
            e,
        )),
    }
}

/// Takes a connection off the live list however its task ends (shutdown waits for the list to
/// empty).
struct LiveGuard {
    registry: Arc<Registry>,
    conn: u64,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.registry.remove_live(self.conn);
    }
}
