//! A small platform for behaviour tests of the dispatcher: inputs are plain structs, so tests
//! control routes, conversations, dedupe ids and decode failures exactly.
#![allow(dead_code)]

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use botgate_codec::unify::UnifyContext;
use botgate_codec::Error;
use botgate_dispatch::{
    Category, Conversation, ConversationKey, DedupeKey, Platform, PlatformKind, Scene,
    UnifiedEvent, Unify,
};
use bytes::Bytes;

/// Decodes performed by `Test::decode`, across all tests of one binary (use per-test routes).
pub static DECODES: AtomicUsize = AtomicUsize::new(0);

/// Called by `Test::decode` with each input before decoding it: what the dispatcher's state
/// is between a frame's raw handlers and its typed ones. Shared by all tests of one binary:
/// a hook looks at its own test's route only.
#[allow(dead_code)] // not every test binary sets one
pub static ON_DECODE: std::sync::Mutex<Option<DecodeHook>> = std::sync::Mutex::new(None);

/// See [`ON_DECODE`].
pub type DecodeHook = std::sync::Arc<dyn Fn(&Input) + Send + Sync>;

#[derive(Debug, Clone, Copy)]
pub struct Test;

#[derive(Debug, Clone, Default)]
pub struct Input {
    pub route: Option<String>,
    pub key: Option<String>,
    pub id: Option<String>,
    pub n: u64,
    pub text: String,
    pub bad: bool,
    pub raw: Bytes,
}

pub fn input(route: &str, key: &str, n: u64) -> Input {
    Input {
        route: Some(route.to_owned()),
        key: Some(key.to_owned()),
        id: None,
        n,
        text: String::new(),
        bad: false,
        raw: Bytes::from(format!("{route}/{key}/{n}")),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub route: String,
    pub key: Option<String>,
    pub n: u64,
    pub text: String,
}

impl Platform for Test {
    const KIND: PlatformKind = PlatformKind::Other("test");
    type Input = Input;
    type EventType = String;
    type Event = Event;

    fn event_type_name(event_type: &String) -> &str {
        event_type
    }

    fn route(input: &Input) -> Option<Cow<'_, str>> {
        input.route.as_deref().map(Cow::Borrowed)
    }

    fn raw(input: &Input) -> &Bytes {
        &input.raw
    }

    fn decode(input: &Input, route: &str) -> Result<Event, Error> {
        DECODES.fetch_add(1, Ordering::SeqCst);
        let hook = ON_DECODE.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(hook) = hook {
            hook(input);
        }
        if input.bad {
            return Err(Error::syntax(0, "bad test payload"));
        }
        Ok(Event {
            route: route.to_owned(),
            key: input.key.clone(),
            n: input.n,
            text: input.text.clone(),
        })
    }

    fn conversation_key(input: &Input) -> ConversationKey {
        match &input.key {
            Some(k) => ConversationKey::id("key", k.as_bytes()),
            None => ConversationKey::Global,
        }
    }

    fn dedupe_key(input: &Input, _route: &str) -> Option<DedupeKey> {
        input.id.as_ref().map(|id| DedupeKey::new(id.as_bytes()))
    }

    fn seq(input: &Input) -> Option<u64> {
        Some(input.n)
    }

    fn event_id(input: &Input) -> Option<&[u8]> {
        input.id.as_deref().map(str::as_bytes)
    }
}

/// The unified form of a test event: routes `group.msg` and `private.msg` are messages,
/// `group.notice` a notice; the key is the group (or the user in private).
#[derive(Debug, Clone, PartialEq)]
pub struct Unified {
    pub category: Category,
    pub scene: Scene,
    pub key: String,
    pub text: String,
    pub n: u64,
    pub self_id: Option<String>,
}

impl UnifiedEvent for Unified {
    fn category(&self) -> Category {
        self.category
    }

    fn conversation(&self) -> Conversation<'_> {
        Conversation {
            scene: &self.scene,
            sub_event: if self.category == Category::Notice {
                "group_recall"
            } else {
                self.scene.as_str()
            },
            peer: &self.key,
            sub_peer: None,
            user_id: "U",
            group_id: (self.scene == Scene::Group).then_some(self.key.as_str()),
            text: Some(&self.text),
        }
    }
}

impl Unify for Test {
    type Unified = Unified;

    fn event_types(category: Category) -> Vec<String> {
        match category {
            Category::Message => vec!["group.msg".into(), "private.msg".into()],
            Category::Notice => vec!["group.notice".into()],
            _ => vec![],
        }
    }

    fn unify(event: &Event, ctx: &UnifyContext) -> Option<Unified> {
        let (category, scene) = match event.route.as_str() {
            "group.msg" => (Category::Message, Scene::Group),
            "private.msg" => (Category::Message, Scene::Private),
            "group.notice" => (Category::Notice, Scene::Group),
            _ => return None,
        };
        Some(Unified {
            category,
            scene,
            key: event.key.clone().unwrap_or_default(),
            text: event.text.clone(),
            n: event.n,
            self_id: (Some(ctx.self_id.clone()).filter(|s| !s.is_empty())).map(String::from),
        })
    }
}
