//! [`OpenApi`]: the QQ OpenAPI client (sends, uploads, recalls, `/users/@me`, `/gateway/bot`).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ::http::Method;
use botgate_proto::qq::api::{
    code, file_type, ApiErrorBody, DirectMessageSession, DirectMessageToCreate, MediaUploaded,
    MessageSent, MessageToCreate, RichMediaToCreate,
};
use botgate_proto::qq::User;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;

use super::gateway::{Gateway, GatewayBot, GatewayBotWire};
use super::seq::SeqTable;
use super::{Target, TokenSource};
use crate::http::{classify, join, HttpClient, RawResponse, Refusals};
use crate::retry::{self, RetryPolicy, Step};
use crate::{ApiError, Error, ErrorKind};

/// Production OpenAPI base.
pub const API_BASE: &str = "https://api.sgroup.qq.com";
/// Sandbox OpenAPI base.
pub const SANDBOX_API_BASE: &str = "https://sandbox.api.sgroup.qq.com";
/// The header QQ puts its trace id in.
pub const TRACE_ID_HEADER: &str = "X-Tps-trace-ID";

/// Where an [`OpenApi`] sends and how it retries.
#[derive(Debug, Clone)]
pub struct OpenApiConfig {
    /// OpenAPI base URL ([`API_BASE`], [`SANDBOX_API_BASE`], or a sim's `http_base()`).
    pub api_base: String,
    /// Retries on 429, 503, unsent requests, and other 5xx when a repeat is harmless.
    pub retry: RetryPolicy,
}

impl OpenApiConfig {
    /// Production.
    pub fn production() -> Self {
        Self {
            api_base: API_BASE.to_owned(),
            retry: RetryPolicy::default(),
        }
    }

    /// Sandbox.
    pub fn sandbox() -> Self {
        Self {
            api_base: SANDBOX_API_BASE.to_owned(),
            retry: RetryPolicy::default(),
        }
    }

    /// Production or sandbox.
    pub fn for_env(sandbox: bool) -> Self {
        if sandbox {
            Self::sandbox()
        } else {
            Self::production()
        }
    }
}

/// The QQ OpenAPI client. Cheap to clone (clones share the connection pool, the token cache and
/// the `msg_seq` counters).
///
/// Every call authenticates with the [`TokenSource`] (fetched per attempt, so a refresh between
/// retries is picked up). A 429 (after its `Retry-After`), a 503 or a request that never left
/// is retried per [`RetryPolicy`]; a 4xx never is, and a 401 also drops the cached token so the
/// next call fetches a new one. A timeout or another 5xx, after which the request may have
/// been carried out, is retried only when a repeat is harmless (a group / C2C reply carrying
/// `msg_id` / `event_id` and `msg_seq`, which QQ dedupes; an upload that does not send; a GET
/// or a DELETE; decision 0056).
/// Refusals are [`ErrorKind::Api`] with the platform's code and trace id. A 2xx answer whose
/// code says the message is held for audit ([`code::holds_for_audit`]) is not a refusal: the
/// platform accepted the message, and a send returns `Ok` with [`MessageSent::audit_id`]
/// (decision 0059).
#[derive(Clone)]
pub struct OpenApi {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    tokens: TokenSource,
    config: OpenApiConfig,
    seqs: Mutex<SeqTable>,
}

impl OpenApi {
    /// A client sending to `config.api_base` with credentials from `tokens`.
    pub fn new(http: HttpClient, tokens: TokenSource, config: OpenApiConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                tokens,
                config,
                seqs: Mutex::new(SeqTable::default()),
            }),
        }
    }

    /// The credential source (share it with the gateway session's Identify).
    pub fn tokens(&self) -> &TokenSource {
        &self.inner.tokens
    }

    /// The OpenAPI base URL.
    pub fn api_base(&self) -> &str {
        &self.inner.config.api_base
    }

    /// `GET /gateway`.
    pub async fn gateway(&self) -> Result<Gateway, Error> {
        self.call(Method::GET, "/gateway", None::<&()>, true).await
    }

    /// `GET /gateway/bot`: URL, recommended shards and the identify budget.
    pub async fn gateway_bot(&self) -> Result<GatewayBot, Error> {
        let wire: GatewayBotWire = self
            .call(Method::GET, "/gateway/bot", None::<&()>, true)
            .await?;
        wire.into_gateway_bot("/gateway/bot")
    }

    /// `GET /users/@me`: the bot's own user.
    pub async fn me(&self) -> Result<User, Error> {
        self.call(Method::GET, "/users/@me", None::<&()>, true)
            .await
    }

    /// Sends `msg` to `target`. A reply (`msg_id` / `event_id` set) without `msg_seq` gets the
    /// next sequence number for that message, kept across retries so the platform dedupes
    /// them. Only group and C2C replies are retried once they may have arrived (a timeout, a
    /// 502); when such a retry is refused as a duplicate (40054005), the message was delivered
    /// by the attempt whose answer was lost: the result is `Ok` with an empty `id` (unknown).
    ///
    /// A message the platform holds for audit (a 2xx answer with code 304023 / 304024, guild
    /// channels and DMs) is sent, not refused, and not repeated: the result is `Ok` with an
    /// empty `id` and [`MessageSent::audit_id`] set; the `MESSAGE_AUDIT_PASS` event with that
    /// `audit_id` names the message id once the audit passes (`MESSAGE_AUDIT_REJECT`: never
    /// shown).
    pub async fn send(
        &self,
        target: &Target,
        mut msg: MessageToCreate,
    ) -> Result<MessageSent, Error> {
        if let Some(key) = msg.reply_key() {
            let mut seqs = self.inner.seqs.lock().unwrap_or_else(|p| p.into_inner());
            match msg.msg_seq {
                None => msg.msg_seq = Some(seqs.next(key, Instant::now())),
                Some(own) => seqs.used(key, own, Instant::now()),
            }
        }
        // QQ dedupes `msg_id` / `event_id` + `msg_seq` on the v2 group and C2C endpoints only
        // (its docs list `msg_seq` for those): a guild send is never repeated after it may
        // have arrived.
        let dedupable = matches!(target, Target::Group(_) | Target::C2c(_))
            && msg.reply_key().is_some()
            && msg.msg_seq.is_some();
        let maybe_done = AtomicBool::new(false);
        match self
            .call_noting::<MessageSent, _>(
                Method::POST,
                &target.messages_path(),
                Some(&msg),
                dedupable,
                &maybe_done,
            )
            .await
        {
            Err(e) if dedupable && maybe_done.load(Ordering::Relaxed) && delivered_before(&e) => {
                tracing::info!(
                    target = %target.messages_path(),
                    "qq: a retried reply was refused as a duplicate: an earlier attempt delivered it (its id is unknown)"
                );
                Ok(MessageSent::default())
            }
            Ok(sent) if sent.held_for_audit() => {
                tracing::info!(
                    target = %target.messages_path(),
                    audit_id = sent.audit_id.as_deref().unwrap_or_default(),
                    "qq: the message is held for audit"
                );
                Ok(sent)
            }
            other => other,
        }
    }

    /// `POST /users/@me/dms`: opens (or finds) the guild DM session with `recipient_id`, a
    /// member of `source_guild_id`. Send to it with [`Target::Dm`] of its `guild_id`.
    pub async fn create_dm(
        &self,
        source_guild_id: &str,
        recipient_id: &str,
    ) -> Result<DirectMessageSession, Error> {
        let body = DirectMessageToCreate {
            source_guild_id: source_guild_id.to_owned(),
            recipient_id: recipient_id.to_owned(),
        };
        self.call(Method::POST, "/users/@me/dms", Some(&body), true)
            .await
    }

    /// `POST /v2/{groups|users}/{id}/files`: uploads rich media for a group or C2C target.
    pub async fn upload_media(
        &self,
        target: &Target,
        upload: &RichMediaToCreate,
    ) -> Result<MediaUploaded, Error> {
        let path = target.files_path().ok_or_else(|| {
            Error::new(ErrorKind::InvalidRequest {
                reason: "rich-media upload is for group and C2C targets only".into(),
            })
        })?;
        // Uploading twice is harmless unless it also sends.
        let dedupable = !upload.srv_send_msg;
        self.call(Method::POST, &path, Some(upload), dedupable)
            .await
    }

    /// Sends the media at `url` with the rest of `msg` (text, `msg_id`, ...): groups and C2C
    /// upload it first and send `msg_type` 7; guild channels and DMs send an image by URL
    /// (`file_type` must be [`file_type::IMAGE`] there).
    pub async fn send_media_url(
        &self,
        target: &Target,
        kind: u32,
        url: &str,
        msg: MessageToCreate,
    ) -> Result<MessageSent, Error> {
        let msg = match target {
            Target::Group(_) | Target::C2c(_) => {
                let uploaded = self
                    .upload_media(target, &RichMediaToCreate::url(kind, url))
                    .await?;
                MessageToCreate {
                    media: Some(botgate_proto::qq::api::Media {
                        file_info: uploaded.file_info,
                    }),
                    msg_type: Some(botgate_proto::qq::api::msg_type::MEDIA),
                    ..msg
                }
            }
            Target::Channel(_) | Target::Dm(_) => {
                if kind != file_type::IMAGE {
                    return Err(Error::new(ErrorKind::InvalidRequest {
                        reason: format!(
                            "guild channels and DMs take images by URL only (file_type {kind})"
                        ),
                    }));
                }
                MessageToCreate {
                    image: Some(url.to_owned()),
                    msg_type: Some(msg.msg_type.unwrap_or(0)),
                    ..msg
                }
            }
        };
        self.send(target, msg).await
    }

    /// Recalls (deletes) message `message_id` sent to `target`.
    pub async fn recall(&self, target: &Target, message_id: &str) -> Result<(), Error> {
        let path = target.message_path(message_id);
        let _: IgnoredAny = self.call(Method::DELETE, &path, None::<&()>, true).await?;
        Ok(())
    }

    /// Any other OpenAPI call: `method path` with an optional JSON body, decoded as `T`
    /// (`serde::de::IgnoredAny` to ignore the answer). `dedupable`: the request may be sent
    /// twice harmlessly, so a timeout can be retried. A 2xx answer holding a message for
    /// audit is decoded as `T` too (decode [`MessageSent`] to read its audit id).
    pub async fn call<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        dedupable: bool,
    ) -> Result<T, Error> {
        self.call_noting(method, path, body, dedupable, &AtomicBool::new(false))
            .await
    }

    /// [`call`](Self::call), setting `maybe_done` when an attempt may have been carried out
    /// without its answer reaching us (sent and no answer, or a 5xx other than 503).
    async fn call_noting<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        dedupable: bool,
        maybe_done: &AtomicBool,
    ) -> Result<T, Error> {
        let inner = &self.inner;
        let url = join(&inner.config.api_base, path)?;
        let endpoint = url.path().to_owned();
        let body = body.map(serde_json::to_vec).transpose().map_err(|e| {
            Error::with_source(
                ErrorKind::HttpRequest {
                    endpoint: endpoint.clone(),
                },
                e,
            )
        })?;
        let retry_ambiguous = dedupable || method == Method::GET || method == Method::DELETE;
        retry::run(&inner.config.retry, |_| {
            let (method, url, body, endpoint) = (method.clone(), &url, body.as_deref(), &endpoint);
            async move {
                let header = match inner.tokens.token().await {
                    Ok(h) => h,
                    Err(e) => return token_step(e),
                };
                let result = inner
                    .http
                    .execute(method.clone(), url, Some(&header), body)
                    .await;
                let unanswered = match &result {
                    Err(failure) => !failure.not_sent,
                    Ok(answer) => answer.status >= 500 && answer.status != 503,
                };
                if unanswered {
                    maybe_done.store(true, Ordering::Relaxed);
                }
                let step = classify::<Qq, T>(&method, endpoint, result, retry_ambiguous);
                if let Step::Fail(e) = &step {
                    if e.status() == Some(401) {
                        inner.tokens.invalidate(&header);
                    }
                }
                step
            }
        })
        .await
    }
}

/// QQ's code for a reply whose `msg_id` / `event_id` + `msg_seq` was already used.
const DUPLICATE_REPLY: i64 = 40_054_005;

/// A retry of a dedupable send refused as a duplicate, after an attempt whose answer was lost
/// (a timeout, a 5xx but 503; the caller checks that): that attempt delivered the message.
fn delivered_before(error: &Error) -> bool {
    error
        .api()
        .is_some_and(|api| api.attempts > 1 && api.code == Some(DUPLICATE_REPLY))
}

/// A token fetch that failed inside an attempt: retry network trouble and 5xx, not a refusal.
fn token_step<T>(error: Error) -> Step<T> {
    let transient = matches!(error.kind(), ErrorKind::HttpRequest { .. })
        || error.status().is_some_and(|s| s == 429 || s >= 500);
    if transient {
        Step::Retry { error, after: None }
    } else {
        Step::Fail(error)
    }
}

/// QQ's refusals: `{message, code, err_code, trace_id}` and the trace id header.
struct Qq;

/// What decides whether a 2xx answer is a refusal: its `id` and its codes. Read apart from the
/// rest of the body, so a message the reader cannot take as a string (a lone surrogate)
/// does not hide the code: the success decode would read such a body as a sent message.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(default)]
    id: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "crate::http::lenient::opt_i64")]
    code: Option<i64>,
    #[serde(default, deserialize_with = "crate::http::lenient::opt_i64")]
    err_code: Option<i64>,
}

impl Probe {
    fn read(body: &[u8]) -> Option<Self> {
        botgate_proto::de::from_slice(body).ok()
    }

    /// `err_code`, else `code` (0 counts as absent), as [`ApiErrorBody::error_code`].
    fn error_code(&self) -> Option<i64> {
        self.err_code
            .filter(|c| *c != 0)
            .or(self.code.filter(|c| *c != 0))
    }
}

impl Refusals for Qq {
    fn api_error(method: &Method, endpoint: &str, response: &RawResponse) -> ApiError {
        let body: ApiErrorBody = botgate_proto::de::from_slice(&response.body).unwrap_or_default();
        let mut api = ApiError::new(method.as_str(), endpoint, response.status);
        api.code = body
            .error_code()
            .or_else(|| Probe::read(&response.body).and_then(|p| p.error_code()));
        api.message = body.message.unwrap_or_else(|| snippet(&response.body));
        api.trace_id = response
            .header(TRACE_ID_HEADER)
            .map(str::to_owned)
            .or(body.trace_id)
            .filter(|t| !t.is_empty());
        api.retry_after = response
            .header("retry-after")
            .and_then(retry::parse_retry_after);
        api
    }

    /// QQ sometimes answers 200 with `{code, message}` and no `id`: that is a refusal too,
    /// unless the code says the message is held for audit (it was accepted: the body carries
    /// the audit id, decision 0059).
    fn refusal_in_success(
        method: &Method,
        endpoint: &str,
        response: &RawResponse,
    ) -> Option<ApiError> {
        let probe = Probe::read(&response.body)?;
        if probe.id.is_some() || probe.error_code().is_none_or(code::holds_for_audit) {
            return None;
        }
        Some(Self::api_error(method, endpoint, response))
    }
}

/// The start of a body, for messages.
fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(256)]).into_owned()
}

impl fmt::Debug for OpenApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenApi")
            .field("api_base", &self.inner.config.api_base)
            .field("tokens", &self.inner.tokens)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::NetFailure;
    use ::http::HeaderMap;
    use bytes::Bytes;

    fn response(status: u16, body: &'static str) -> Result<RawResponse, NetFailure> {
        let mut headers = HeaderMap::new();
        headers.insert("x-tps-trace-id", "tr-9".parse().unwrap());
        headers.insert("retry-after", "2".parse().unwrap());
        Ok(RawResponse {
            status,
            headers,
            body: Bytes::from_static(body.as_bytes()),
        })
    }

    #[test]
    fn qq_success_and_refusals() {
        let ok: Step<MessageSent> = classify::<Qq, _>(
            &Method::POST,
            "/x",
            response(200, r#"{"id":"m","code":0}"#),
            false,
        );
        assert!(matches!(ok, Step::Done(MessageSent { ref id, .. }) if id == "m"));
        // 200 with a code and no id is a refusal, not retried.
        let refused: Step<MessageSent> = classify::<Qq, _>(
            &Method::POST,
            "/x",
            response(200, r#"{"code":40034006,"message":"bad"}"#),
            false,
        );
        match refused {
            Step::Fail(e) => {
                let api = e.api().unwrap();
                assert_eq!((api.status, api.code), (200, Some(40_034_006)));
                assert_eq!(api.trace_id.as_deref(), Some("tr-9"));
            }
            other => panic!("{other:?}"),
        }
        // 429: retried after the header's delay; a non-JSON 503 body becomes the message.
        match classify::<Qq, IgnoredAny>(&Method::GET, "/x", response(429, "{}"), true) {
            Step::Retry { after, .. } => assert_eq!(after, Some(std::time::Duration::from_secs(2))),
            other => panic!("{other:?}"),
        }
        match classify::<Qq, IgnoredAny>(&Method::GET, "/x", response(503, "busy"), true) {
            Step::Retry { error, .. } => assert_eq!(error.api().unwrap().message, "busy"),
            other => panic!("{other:?}"),
        }
    }

    /// A message held for audit was accepted: done (neither failed nor retried), with the
    /// audit id, whether QQ answers 200 or 202 and with either hold code.
    #[test]
    fn qq_held_for_audit_is_done_with_the_audit_id() {
        for (status, body, audit) in [
            (
                200,
                r#"{"code":304023,"message":"push message is waiting for audit","data":{"message_audit":{"audit_id":"au-1"}}}"#,
                "au-1",
            ),
            (
                202,
                r#"{"code":304024,"err_code":304024,"message":"push message is waiting for audit","data":{"message_audit":{"audit_id":"au-2"}}}"#,
                "au-2",
            ),
            // The hold code without the id: still held, the audit not named.
            (202, r#"{"code":304023,"message":"waiting"}"#, ""),
        ] {
            let step: Step<MessageSent> = classify::<Qq, _>(
                &Method::POST,
                "/channels/1/messages",
                response(status, body),
                false,
            );
            match step {
                Step::Done(sent) => {
                    assert!(sent.held_for_audit(), "{body}");
                    assert_eq!(sent.audit_id.as_deref(), Some(audit));
                    assert_eq!(sent.id, "");
                }
                other => panic!("{status} {body}: {other:?}"),
            }
        }
        // The same code on a refusal status stays a refusal (not retried).
        let refused: Step<MessageSent> = classify::<Qq, _>(
            &Method::POST,
            "/x",
            response(400, r#"{"code":304023,"message":"waiting"}"#),
            true,
        );
        assert!(matches!(refused, Step::Fail(_)), "{refused:?}");
    }
}

#[cfg(test)]
mod probe_tests {
    use super::*;
    use crate::http::NetFailure;
    use ::http::HeaderMap;
    use bytes::Bytes;

    fn response(status: u16, body: &'static [u8]) -> Result<RawResponse, NetFailure> {
        Ok(RawResponse {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body),
        })
    }

    /// A 2xx refusal whose message cannot be read as a string (a lone surrogate, bytes that
    /// are not UTF-8): the refusal check read the whole error body, failed, missed the code,
    /// and the success decode (which skips `message`) made it a sent message with an empty id.
    #[test]
    fn a_2xx_refusal_the_strict_reader_rejects_is_still_a_refusal() {
        for body in [
            &br#"{"code":40034006,"message":"bad \ud800"}"#[..],
            &b"{\"code\":40034006,\"message\":\"bad \xff\"}"[..],
        ] {
            let body: &'static [u8] = body;
            let step: Step<MessageSent> = classify::<Qq, _>(
                &Method::POST,
                "/channels/1/messages",
                response(200, body),
                false,
            );
            match step {
                Step::Fail(e) => assert_eq!(
                    e.api().and_then(|a| a.code),
                    Some(40_034_006),
                    "{:?}: {e}",
                    String::from_utf8_lossy(body)
                ),
                Step::Done(sent) => panic!(
                    "{:?}: read as sent: {sent:?}",
                    String::from_utf8_lossy(body)
                ),
                other => panic!("{other:?}"),
            }
        }
    }
}
