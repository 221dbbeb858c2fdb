//! The accounts a reverse-WS listener serves, and its live connections.
//!
//! An account is one bot `self_id`: its handlers (made once, by the factory), its dispatcher and
//! its lifecycle live as long as the listener, across the implementation's reconnects. At most
//! one connection dispatches for an account at a time, in the order they arrived: a new
//! connection waits until the previous one has delivered everything it read, so nothing is
//! reordered or lost across a reconnect. If the previous one is still open and idle, the new
//! one replaces it (closed, with a warning).
//!
//! Roles (`X-Client-Role`, decision 0057): that turn order is for the connections that carry
//! events (`Universal`, `Event`). The account's actions go over the newest connection that
//! answers them (`Universal`, `API`). An `API` connection takes no turn: it only takes the
//! actions, and closes the account's older `API` connection at once (at most one per account).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use botgate_dispatch::onebot::{OneBot, OneBotHandlers};
use botgate_dispatch::{BotInfo, DispatchConfig, Dispatcher, PlatformKind};
use botgate_session::driver::{DriverHandle, LinkState};
use botgate_session::onebot::ClientRole;
use botgate_session::{onebot, SessionMachine};
use tokio::sync::{broadcast, oneshot, watch};

use super::link::{AccountActions, Link};
use super::notice::ReverseNotice;
use crate::bot::running::Lifecycle;
use crate::bot::stop::{give_up, within_grace};
use crate::reply::OneBotReplies;

/// Makes the handlers of an account, given its `self_id`.
pub(super) type MakeHandlers = Arc<dyn Fn(&str) -> OneBotHandlers + Send + Sync>;

/// How long an older connection of an account must have read nothing (while not held back by
/// its consumer) before a new connection replaces it. An implementation that reconnected has
/// stopped writing to the old one; what the old one still holds unread keeps it busy.
const QUIET: Duration = Duration::from_secs(1);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the listener's tasks share.
pub(super) struct Registry {
    make: MakeHandlers,
    dispatch: DispatchConfig,
    action_wait: Duration,
    /// The most accounts kept. Accounts are kept for good (their handlers and dispatcher
    /// state), so a peer that claims ever new ids (no token set, or a token leaked) must not
    /// grow them without bound.
    max_accounts: usize,
    accounts: Mutex<HashMap<i64, Arc<Account>>>,
    count: watch::Sender<usize>,
    live: Mutex<BTreeMap<u64, LiveConn>>,
    live_count: watch::Sender<usize>,
    notices: broadcast::Sender<ReverseNotice>,
    closing: watch::Sender<bool>,
}

/// A connection that is running.
struct LiveConn {
    driver: Arc<DriverHandle<onebot::Session>>,
    lifecycle: watch::Receiver<Lifecycle>,
}

/// A connection as it is bound to an account: what its turn, its hold on the account's `API`
/// slot and its successor's wait each need of it.
#[derive(Clone)]
pub(super) struct Binding {
    /// Its number, in accept order: of two connections, the larger is the newer.
    pub(super) conn: u64,
    pub(super) addr: SocketAddr,
    pub(super) role: ClientRole,
    pub(super) driver: Arc<DriverHandle<onebot::Session>>,
}

/// One bot account.
pub(super) struct Account {
    pub(super) self_id: i64,
    pub(super) dispatcher: Arc<Dispatcher<OneBot>>,
    pub(super) lifecycle: watch::Sender<Lifecycle>,
    link: watch::Sender<Link>,
    /// The connection that dispatches last (or will): the next one waits for it.
    latest: Mutex<Option<Holder>>,
    /// The account's `API` connection, if one is bound: a newer one closes it.
    api: Mutex<Option<Binding>>,
    /// The number of the connection that carries the actions (while `link` is set). Stored:
    /// `link` holds only the driver, and neither `latest` nor `api` need hold that
    /// connection (a `Universal` one keeps the actions once a newer `Event` one is `latest`).
    actions_owner: Mutex<u64>,
}

/// The most recent connection of an account, as its successor needs it.
struct Holder {
    /// Its role is `Universal` or `Event`.
    binding: Binding,
    /// Resolves (with an error) when that connection has dispatched its last event.
    done: oneshot::Receiver<()>,
}

/// A connection's turn to dispatch for an account; ending it lets the next connection go.
pub(super) struct Turn {
    pub(super) account: Arc<Account>,
    binding: Binding,
    _done: oneshot::Sender<()>,
}

/// An `API` connection's place in its account: it carries the account's actions (unless a
/// newer one came first: then it is closed at once).
pub(super) struct ApiTurn {
    account: Arc<Account>,
    binding: Binding,
    /// It serves the account (false: a newer `API` connection had bound before it).
    pub(super) serving: bool,
}

impl Registry {
    pub(super) fn new(
        make: MakeHandlers,
        dispatch: DispatchConfig,
        action_wait: Duration,
        max_accounts: usize,
    ) -> Self {
        Self {
            make,
            dispatch,
            action_wait,
            max_accounts,
            accounts: Mutex::default(),
            count: watch::Sender::new(0),
            live: Mutex::default(),
            live_count: watch::Sender::new(0),
            notices: broadcast::Sender::new(1024),
            closing: watch::Sender::new(false),
        }
    }

    pub(super) fn notify(&self, notice: ReverseNotice) {
        // Nobody listening is fine.
        let _ = self.notices.send(notice);
    }

    /// A connection of `account` is serving it: counted in its `readies`, and said.
    fn online(&self, account: &Account, binding: &Binding, first: bool) {
        account.lifecycle.send_modify(|l| l.readies += 1);
        self.notify(ReverseNotice::Online {
            conn: binding.conn,
            addr: binding.addr,
            self_id: account.self_id.to_string(),
            first,
            role: binding.role,
        });
    }

    pub(super) fn notices(&self) -> broadcast::Receiver<ReverseNotice> {
        self.notices.subscribe()
    }

    pub(super) fn account(&self, self_id: i64) -> Option<Arc<Account>> {
        lock(&self.accounts).get(&self_id).cloned()
    }

    pub(super) fn accounts(&self) -> Vec<Arc<Account>> {
        let mut all: Vec<_> = lock(&self.accounts).values().cloned().collect();
        all.sort_by_key(|a| a.self_id);
        all
    }

    pub(super) fn account_count(&self) -> watch::Receiver<usize> {
        self.count.subscribe()
    }

    /// Records a running connection (before its task starts, so shutdown sees it).
    pub(super) fn add_live(
        &self,
        conn: u64,
        driver: Arc<DriverHandle<onebot::Session>>,
        lifecycle: watch::Receiver<Lifecycle>,
    ) {
        let mut live = lock(&self.live);
        live.insert(conn, LiveConn { driver, lifecycle });
        self.live_count.send_replace(live.len());
    }

    pub(super) fn remove_live(&self, conn: u64) {
        let mut live = lock(&self.live);
        live.remove(&conn);
        self.live_count.send_replace(live.len());
    }

    /// The lifecycles of the running connections, oldest first.
    pub(super) fn live_lifecycles(&self) -> Vec<watch::Receiver<Lifecycle>> {
        lock(&self.live)
            .values()
            .map(|c| c.lifecycle.clone())
            .collect()
    }

    pub(super) fn is_closing(&self) -> bool {
        *self.closing.borrow()
    }

    /// Closes every connection and waits until each has delivered what it read; then drains
    /// every account's handlers. Past `deadline` the accounts' dispatchers are closed: no
    /// handler holds the stop any more (decision 0065).
    pub(super) async fn close_all(&self, deadline: tokio::time::Instant) {
        self.closing.send_replace(true);
        let drivers: Vec<_> = lock(&self.live)
            .values()
            .map(|c| Arc::clone(&c.driver))
            .collect();
        let closes = drivers
            .iter()
            .map(|d| d.with_machine(|m, now| m.close(now)));
        futures_util::future::join_all(closes).await;
        let mut live = self.live_count.subscribe();
        let delivered = async move {
            let _ = live.wait_for(|n| *n == 0).await;
        };
        within_grace(deadline, delivered, || {
            for account in self.accounts() {
                give_up(&account.dispatcher);
            }
        })
        .await;
        for account in self.accounts() {
            let dispatcher = &account.dispatcher;
            within_grace(deadline, dispatcher.shutdown(), || give_up(dispatcher)).await;
            account
                .lifecycle
                .send_modify(|l| l.stopped = Some(String::new()));
        }
    }

    /// The account `self_id` and whether it is new: made (handlers from the factory) on its
    /// first connection; `None` when it is new and [`max_accounts`](Self::max_accounts) are
    /// kept already.
    fn account_or_new(&self, self_id: i64) -> Option<(Arc<Account>, bool)> {
        let mut made = None;
        // At most twice: the factory runs outside the lock (it is user code), so a new account
        // is looked up (and the limit checked) once before it runs, which a refused account
        // never passes, and once more under the lock that inserts it, since several may have
        // passed the first at once.
        loop {
            let mut accounts = lock(&self.accounts);
            if let Some(account) = accounts.get(&self_id) {
                return Some((Arc::clone(account), false));
            }
            if accounts.len() >= self.max_accounts {
                return None;
            }
            if let Some(account) = made.take() {
                accounts.insert(self_id, Arc::clone(&account));
                self.count.send_replace(accounts.len());
                return Some((account, true));
            }
            drop(accounts);
            made = Some(self.make_account(self_id));
        }
    }

    /// A new account `self_id`, its handlers from the factory.
    fn make_account(&self, self_id: i64) -> Arc<Account> {
        let id = self_id.to_string();
        let handlers = (self.make)(&id);
        let dispatcher = Arc::new(Dispatcher::<OneBot>::new(handlers, self.dispatch));
        let (link, link_rx) = watch::channel(None);
        let actions = Arc::new(AccountActions::new(
            link_rx,
            self.closing.subscribe(),
            self.action_wait,
        ));
        dispatcher.set_bot(
            BotInfo::new(PlatformKind::OneBot)
                .with_self_id(id.clone())
                .with_actions(actions.clone())
                .with_replies(Arc::new(OneBotReplies::new(actions))),
        );
        Arc::new(Account {
            self_id,
            dispatcher,
            lifecycle: watch::Sender::new(Lifecycle {
                self_id: Some(id),
                ..Lifecycle::default()
            }),
            link,
            latest: Mutex::default(),
            api: Mutex::default(),
            actions_owner: Mutex::default(),
        })
    }

    /// Makes connection `binding` the one that carries the events of `self_id`, once the
    /// account's previous connection has delivered everything it read (replacing it if it is
    /// open and idle); `None` when the account limit refuses it. A `Universal` connection also
    /// carries the account's actions from now on; an `Event` one never does.
    pub(super) async fn bind(&self, self_id: i64, binding: Binding) -> Option<Turn> {
        let (account, first) = self.account_or_new(self_id)?;
        let (done_tx, done) = oneshot::channel();
        let previous = lock(&account.latest).replace(Holder {
            binding: binding.clone(),
            done,
        });
        if binding.role.answers_actions() {
            // Actions take the new connection at once: handlers of the previous connection's
            // last events may be waiting for answers before that connection can finish.
            take_actions(&account, &binding);
        }
        if let Some(previous) = previous {
            self.wait_for(previous, self_id, &binding).await;
        }
        self.online(&account, &binding, first);
        Some(Turn {
            account,
            binding,
            _done: done_tx,
        })
    }

    /// Makes `API` connection `binding` the one that carries the actions of `self_id`, and
    /// closes the account's older `API` connection (one that binds after a newer one is closed
    /// itself); `None` when the account limit refuses it. It takes no turn in the account's
    /// events.
    pub(super) async fn bind_api(&self, self_id: i64, binding: Binding) -> Option<ApiTurn> {
        let (account, first) = self.account_or_new(self_id)?;
        // Which is older is decided by the connection numbers (the accept order), under the
        // lock, so that two binding at once agree; the actions are taken under it too, so the
        // newer always ends up with them. `replaced`: the older of two and the newer.
        let (serving, replaced) = {
            let mut api = lock(&account.api);
            match api.as_ref() {
                Some(newer) if newer.conn > binding.conn => {
                    (false, Some((binding.clone(), newer.clone())))
                }
                _ => {
                    let older = api.replace(binding.clone());
                    take_actions(&account, &binding);
                    (true, older.map(|older| (older, binding.clone())))
                }
            }
        };
        if let Some((old, new)) = replaced {
            self.replace(self_id, &old, &new, "API connection").await;
        }
        if serving {
            self.online(&account, &binding, first);
        }
        Some(ApiTurn {
            account,
            binding,
            serving,
        })
    }

    /// Closes connection `old` of account `self_id`, replaced by connection `new` (a second
    /// `what` for the account), with a warning and a [`ReverseNotice::Replaced`].
    async fn replace(&self, self_id: i64, old: &Binding, new: &Binding, what: &str) {
        tracing::warn!(
            self_id,
            old = old.conn,
            old_role = %old.role,
            new = new.conn,
            new_role = %new.role,
            "a second {what} for this account: the older one is closed"
        );
        self.notify(ReverseNotice::Replaced {
            self_id: self_id.to_string(),
            old: old.conn,
            new: new.conn,
            old_role: old.role,
            new_role: new.role,
        });
        let _ = old.driver.with_machine(|m, now| m.close(now)).await;
    }

    /// Waits until the previous connection of an account has dispatched its last event. While
    /// it reads, it is left alone (the implementation may have closed it and we are behind);
    /// once it is open but has read nothing for [`QUIET`], it is closed as replaced.
    async fn wait_for(&self, previous: Holder, self_id: i64, new: &Binding) {
        let Holder {
            binding: old,
            mut done,
        } = previous;
        let mut status = old.driver.status();
        loop {
            let now = *status.borrow_and_update();
            if now.stopped || now.link != LinkState::Up {
                break;
            }
            let read_before = old.driver.stats().frames_in;
            tokio::select! {
                _ = &mut done => return,
                changed = status.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                () = tokio::time::sleep(QUIET) => {
                    let now = *status.borrow();
                    let idle = old.driver.stats().frames_in == read_before && !now.backpressured;
                    if idle && now.link == LinkState::Up && !now.stopped {
                        self.replace(self_id, &old, new, "connection").await;
                        break;
                    }
                }
            }
        }
        let _ = done.await;
    }
}

/// Makes connection `binding` the connection of the account's actions, until it is down,
/// unless a newer connection (a larger number: accepted later) carries them: an older
/// `Universal` connection that learns its `self_id` late does not take them from a newer
/// `API` one.
fn take_actions(account: &Arc<Account>, binding: &Binding) {
    let mut owner = lock(&account.actions_owner);
    if account.link.borrow().is_some() && *owner > binding.conn {
        return;
    }
    *owner = binding.conn;
    let driver = &binding.driver;
    account.link.send_replace(Some(Arc::clone(driver)));
    tokio::spawn(unlink_when_down(Arc::clone(account), Arc::clone(driver)));
}

/// Takes `driver` off the account's actions once its connection is down (its last events
/// may still be dispatching): an action then waits for the next connection instead of
/// queueing on one that will never send it.
async fn unlink_when_down(account: Arc<Account>, driver: Arc<DriverHandle<onebot::Session>>) {
    let mut status = driver.status();
    let _ = status
        .wait_for(|s| s.stopped || s.link != LinkState::Up)
        .await;
    unlink(&account, &driver);
}

fn unlink(account: &Account, driver: &Arc<DriverHandle<onebot::Session>>) {
    account.link.send_if_modified(|link| {
        let ours = link.as_ref().is_some_and(|d| Arc::ptr_eq(d, driver));
        if ours {
            *link = None;
        }
        ours
    });
}

impl Turn {
    /// The connection has delivered its last event: the account's events (and its actions, if
    /// it carried them) wait for the next connection that binds.
    pub(super) fn end(self, registry: &Registry, reason: &str) {
        ended(registry, &self.account, &self.binding, reason, true);
    }
}

impl ApiTurn {
    /// The `API` connection has ended: the account's actions wait for the next connection
    /// that answers them (unless a newer one has them already).
    pub(super) fn end(self, registry: &Registry, reason: &str) {
        let ours = &self.binding.driver;
        lock(&self.account.api).take_if(|held| Arc::ptr_eq(&held.driver, ours));
        ended(registry, &self.account, &self.binding, reason, self.serving);
    }
}

/// What every connection that was bound to `account` does when it ends; `served`: it counted
/// in the account's `readies`, so it counts in its `reconnects`.
fn ended(registry: &Registry, account: &Account, binding: &Binding, reason: &str, served: bool) {
    unlink(account, &binding.driver);
    if served && !registry.is_closing() {
        account.lifecycle.send_modify(|l| l.reconnects += 1);
    }
    registry.notify(ReverseNotice::Disconnected {
        conn: binding.conn,
        addr: binding.addr,
        self_id: Some(account.self_id.to_string()),
        reason: reason.to_owned(),
    });
}
