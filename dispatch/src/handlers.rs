//! The handler registry: typed handlers per event type, pass-through (`on_raw`), error
//! notification (`on_error`) and unified handlers with filters.
//!
//! What is registered decides what the connection asks for: [`Handlers::wants`] is the check the
//! dispatcher makes before it decodes anything, and the platform modules derive the QQ intents
//! and the Bubble subscription set from [`Handlers::event_types`].
//!
//! Every typed method (`on_at_message_create`, ...) is a one-line call of
//! [`Handlers::on_typed`], generated from the schema (see `src/generated/README.md`).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use botgate_codec::unify::UnifyContext;
use botgate_proto::unified::Permissions;
use futures_util::future::BoxFuture;

use crate::context::Context;
use crate::error::{BotError, HandlerError};
use crate::filter::Filter;
use crate::platform::Platform;
use crate::unified::{Category, UnifiedEvent, Unify};
use botgate_session::Fingerprinter;

/// What every handler returns, boxed.
pub type HandlerFuture = BoxFuture<'static, Result<(), HandlerError>>;

pub(crate) type TypedFn<P> =
    Arc<dyn Fn(Context, <P as Platform>::Event) -> Option<HandlerFuture> + Send + Sync>;
pub(crate) type RawFn<P> =
    Arc<dyn Fn(Context, <P as Platform>::Input) -> HandlerFuture + Send + Sync>;
pub(crate) type ErrorFn = Arc<dyn Fn(&BotError) + Send + Sync>;
/// A mapped unified event, type-erased: an `Option<P::Unified>` seen as `dyn Any`. A unified
/// handler reads it for its filter, then takes it (the event's last handler) or clones it.
pub(crate) type UnifiedSlot = dyn Any + Send + Sync;
/// A mapped event kept by its job for handlers that run later (typed handlers first, or more
/// than one unified handler): the slot, boxed. A lone unified handler gets the event straight
/// from the mapping's stack instead (decision 0034).
pub(crate) type StoredUnified = Box<UnifiedSlot>;
/// Called with each mapped event while it is still on the mapping's stack, and with its
/// fingerprint for the unified dedupe window (`Unify::hash_same_event_key`) when there is
/// one: starts what can start now; `true` to keep the event for later handlers.
pub(crate) type OnMapped<'a> = &'a mut dyn FnMut(&mut UnifiedSlot, Option<u128>) -> bool;
/// Maps a typed event (`None`: no unified meaning), feeding the fingerprinter when there is
/// one; hands the result to [`OnMapped`] and returns it boxed when that keeps it.
pub(crate) type UnifyFn<P> = fn(
    ToMap<'_, <P as Platform>::Event>,
    &UnifyContext,
    Option<&mut Fingerprinter>,
    OnMapped<'_>,
) -> Option<Option<StoredUnified>>;

/// The typed event handed to the mapping: borrowed while typed handlers still need it, owned
/// when none does (it then moves into the unified event instead of being copied).
pub(crate) enum ToMap<'a, E> {
    /// Typed handlers get the event afterwards.
    Borrowed(&'a E),
    /// Nothing needs the event afterwards.
    Owned(E),
}
/// A unified handler: `None` when the event is not of its category or fails its filter. With
/// `take` (the event's last handler) it moves the event out of the slot, so a single unified
/// handler receives the event without a copy; otherwise it clones it.
pub(crate) type UnifiedFn =
    Arc<dyn Fn(Context, &mut UnifiedSlot, bool) -> Option<HandlerFuture> + Send + Sync>;

/// The handlers of one route (wire event type).
pub(crate) struct Route<P: Platform> {
    pub(crate) event_type: P::EventType,
    pub(crate) typed: Vec<TypedFn<P>>,
    pub(crate) unified: Vec<UnifiedFn>,
}

/// The handler registry of one platform (`QqHandlers`, `BubbleHandlers`, `OneBotHandlers`).
///
/// ```
/// use botgate_codec::Intents;
/// use botgate_dispatch::qq::QqHandlers;
///
/// let mut handlers = QqHandlers::new();
/// handlers
///     .on_at_message_create(|ctx, msg| async move {
///         println!("{:?} in {}: {}", ctx.event_id(), msg.channel_id, msg.content);
///         Ok(())
///     })
///     .on_error(|err| eprintln!("{err}"));
/// assert_eq!(handlers.intents(), Intents::PUBLIC_GUILD_MESSAGES);
/// assert!(handlers.wants("AT_MESSAGE_CREATE"));
/// assert!(!handlers.wants("MESSAGE_CREATE"));
/// ```
pub struct Handlers<P: Platform> {
    routes: HashMap<Box<str>, Route<P>>,
    raw: Vec<RawFn<P>>,
    error: Vec<ErrorFn>,
    unify: Option<UnifyFn<P>>,
    permissions: Permissions,
}

impl<P: Platform> Default for Handlers<P> {
    fn default() -> Self {
        Self {
            routes: HashMap::new(),
            raw: Vec::new(),
            error: Vec::new(),
            unify: None,
            permissions: Permissions::default(),
        }
    }
}

impl<P: Platform> fmt::Debug for Handlers<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut routes: Vec<(&str, usize, usize)> = self
            .routes
            .iter()
            .map(|(k, r)| (&**k, r.typed.len(), r.unified.len()))
            .collect();
        routes.sort_unstable();
        f.debug_struct("Handlers")
            .field("platform", &P::KIND)
            .field("routes (name, typed, unified)", &routes)
            .field("raw", &self.raw.len())
            .field("error", &self.error.len())
            .field("permissions", &self.permissions)
            .finish()
    }
}

impl<P: Platform> Handlers<P> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn route_mut(&mut self, event_type: P::EventType) -> &mut Route<P> {
        let name: Box<str> = P::event_type_name(&event_type).into();
        self.routes.entry(name).or_insert_with(|| Route {
            event_type,
            typed: Vec::new(),
            unified: Vec::new(),
        })
    }

    /// Registers a handler for every event of `event_type`, given the whole decoded event.
    ///
    /// Handlers of one event type run one after another in registration order.
    pub fn on<F, Fut>(&mut self, event_type: P::EventType, f: F) -> &mut Self
    where
        F: Fn(Context, P::Event) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        self.on_typed(event_type, move |ctx, ev| Some(f(ctx, ev)))
    }

    /// Registers a handler for `event_type` that extracts its payload from the decoded event
    /// (`None`: not the expected variant, the handler is skipped). The generated typed methods
    /// are one call of this each.
    pub fn on_typed<F, Fut>(&mut self, event_type: P::EventType, f: F) -> &mut Self
    where
        F: Fn(Context, P::Event) -> Option<Fut> + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        let handler: TypedFn<P> =
            Arc::new(move |ctx, ev| f(ctx, ev).map(|fut| Box::pin(fut) as HandlerFuture));
        self.route_mut(event_type).typed.push(handler);
        self
    }

    /// Registers a pass-through handler: it receives every input given to the dispatcher (the
    /// scanned frame, raw bytes inside), handled or not, resends included, in arrival order,
    /// without any decode (botgo's `PlainEventHandler`).
    pub fn on_raw<F, Fut>(&mut self, f: F) -> &mut Self
    where
        F: Fn(Context, P::Input) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        self.raw
            .push(Arc::new(move |ctx, input| Box::pin(f(ctx, input))));
        self
    }

    /// Registers an error-notify handler (botgo's `ErrorNotifyHandler`): handler errors and
    /// panics, payloads that failed to decode, and the connection incidents the session driver
    /// reports. It runs synchronously on the reporting task: keep it short.
    pub fn on_error<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn(&BotError) + Send + Sync + 'static,
    {
        self.error.push(Arc::new(f));
        self
    }

    /// Whether any typed or unified handler wants events of `route` (QQ / Bubble: the `t`;
    /// OneBot: the dotted kind, where a handler on a dot-prefix also counts). One hash lookup
    /// per dot level; nothing is decoded.
    pub fn wants(&self, route: &str) -> bool {
        if self.routes.contains_key(route) {
            return true;
        }
        // a route without dots (QQ, Bubble) has no prefixes: nothing more to look up
        prefixes(route).any(|p| self.routes.contains_key(p))
    }

    /// The event types with handlers (unified handlers included), in no particular order.
    pub fn event_types(&self) -> impl Iterator<Item = &P::EventType> + '_ {
        self.routes.values().map(|r| &r.event_type)
    }

    /// Whether any `on_raw` handler is registered.
    pub fn has_raw(&self) -> bool {
        !self.raw.is_empty()
    }

    /// The routes matching `route`: its dot-prefixes (broadest first), then itself.
    pub(crate) fn matching<'a>(&'a self, route: &'a str) -> impl Iterator<Item = &'a Route<P>> {
        let mut broader: Vec<&str> = prefixes(route).collect();
        broader.reverse();
        broader
            .into_iter()
            .chain(std::iter::once(route))
            .filter_map(|name| self.routes.get(name))
    }

    /// The names of the routes with handlers, in no particular order.
    pub(crate) fn route_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.routes.keys().map(|k| &**k)
    }

    /// Every route with handlers, in no particular order.
    pub(crate) fn routes(&self) -> impl Iterator<Item = &Route<P>> + '_ {
        self.routes.values()
    }

    pub(crate) fn raw_handlers(&self) -> &[RawFn<P>] {
        &self.raw
    }

    pub(crate) fn error_handlers(&self) -> &[ErrorFn] {
        &self.error
    }

    pub(crate) fn unify_fn(&self) -> Option<UnifyFn<P>> {
        self.unify
    }

    /// Sets who the bot's masters and admins are: unified events answer `is_master` /
    /// `is_admin` from this (a master is also an admin). A running dispatcher can change it
    /// with [`Dispatcher::set_permissions`](crate::Dispatcher::set_permissions).
    pub fn set_permissions(&mut self, permissions: Permissions) -> &mut Self {
        self.permissions = permissions;
        self
    }

    /// The masters and admins these handlers were registered with: a dispatcher starts with
    /// them; after [`Dispatcher::set_permissions`](crate::Dispatcher::set_permissions) its
    /// [`permissions`](crate::Dispatcher::permissions) are the ones events are checked against.
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }
}

impl<P: Unify> Handlers<P> {
    /// Registers a unified handler for events of `category` that pass `filter`. The event types
    /// that can map to `category` become wanted (and count for intents / subscriptions); each
    /// event is mapped once however many unified handlers it reaches, and its unified handlers
    /// run after its typed ones, in registration order, in the event's conversation lane.
    pub fn on_unified<F, Fut>(&mut self, category: Category, filter: Filter, f: F) -> &mut Self
    where
        F: Fn(Context, P::Unified) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        let handler: UnifiedFn = Arc::new(move |ctx, slot: &mut UnifiedSlot, take| {
            let slot = slot.downcast_mut::<Option<P::Unified>>()?;
            let event = slot.as_ref()?;
            if event.category() != category {
                return None;
            }
            let pass = filter
                .by_scene(event.scene())
                .unwrap_or_else(|| filter.matches(&event.conversation()));
            if !pass {
                return None;
            }
            let event = if take { slot.take()? } else { event.clone() };
            Some(Box::pin(f(ctx, event)) as HandlerFuture)
        });
        self.unify = Some(|event, ctx, key, on_mapped| {
            let mapped = match event {
                ToMap::Borrowed(event) => P::unify(event, ctx),
                ToMap::Owned(event) => P::unify_owned(event, ctx),
            };
            let u = mapped?;
            let fingerprint =
                key.and_then(|key| P::hash_same_event_key(&u, key).then(|| key.fingerprint()));
            let mut slot = Some(u);
            let keep = on_mapped(&mut slot, fingerprint) && slot.is_some();
            Some(keep.then(|| Box::new(slot) as StoredUnified))
        });
        for event_type in P::event_types(category) {
            self.route_mut(event_type)
                .unified
                .push(Arc::clone(&handler));
        }
        self
    }

    /// Registers a handler for unified messages (group, private, guild, ...) passing `filter`.
    /// Messages the bot sent itself (OneBot `message_sent`) are not included: register
    /// [`Category::MessageSent`] with [`Handlers::on_unified`] for those.
    ///
    /// One handler serves every platform whose unified event is [`Unified`](crate::Unified):
    ///
    /// ```
    /// use botgate_dispatch::onebot::OneBotHandlers;
    /// use botgate_dispatch::qq::QqHandlers;
    /// use botgate_dispatch::{Context, Filter, HandlerError, Permissions, Scene, Unified};
    ///
    /// async fn weather(ctx: Context, u: Unified) -> Result<(), HandlerError> {
    ///     let text = u.plain_text(); // the text elements, mentions left out
    ///     let city = Filter::command_args(&text, "/天气").unwrap_or("");
    ///     let who = if u.is_master { "master" } else { "user" };
    ///     println!("{} {who} {} asks for {city}", ctx.platform(), u.user_id);
    ///     Ok(())
    /// }
    ///
    /// let mut qq = QqHandlers::new();
    /// qq.set_permissions(Permissions::new(["1234567890"], Vec::<String>::new()))
    ///     .on_message(Filter::new().command("/天气"), weather);
    /// let mut onebot = OneBotHandlers::new();
    /// onebot.on_message(Filter::new().scene(Scene::Group).command("/天气"), weather);
    /// assert!(qq.wants("AT_MESSAGE_CREATE") && qq.wants("GROUP_AT_MESSAGE_CREATE"));
    /// assert!(onebot.wants("message.group") && !onebot.wants("meta_event.heartbeat"));
    /// ```
    pub fn on_message<F, Fut>(&mut self, filter: Filter, f: F) -> &mut Self
    where
        F: Fn(Context, P::Unified) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        self.on_unified(Category::Message, filter, f)
    }

    /// Registers a handler for unified notices passing `filter`.
    pub fn on_notice<F, Fut>(&mut self, filter: Filter, f: F) -> &mut Self
    where
        F: Fn(Context, P::Unified) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        self.on_unified(Category::Notice, filter, f)
    }

    /// Registers a handler for unified requests passing `filter`.
    pub fn on_request<F, Fut>(&mut self, filter: Filter, f: F) -> &mut Self
    where
        F: Fn(Context, P::Unified) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        self.on_unified(Category::Request, filter, f)
    }
}

/// The proper dot-prefixes of `route`, longest first (`a.b.c` → `a.b`, `a`).
fn prefixes(route: &str) -> impl Iterator<Item = &str> {
    route
        .char_indices()
        .rev()
        .filter(|&(_, c)| c == '.')
        .map(move |(i, _)| &route[..i])
}

#[cfg(test)]
mod tests {
    use super::prefixes;

    #[test]
    fn prefixes_are_longest_first() {
        assert_eq!(
            prefixes("notice.notify.poke").collect::<Vec<_>>(),
            ["notice.notify", "notice"]
        );
        assert_eq!(prefixes("READY").count(), 0);
    }
}
