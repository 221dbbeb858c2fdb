//! `ctx.onebot()`: typed OneBot v11 actions from handlers, through the bot's action handle
//! (the session's `echo` correlation).
//!
//! Every helper is [`OneBotApi::call_typed`] over a params struct of
//! `botgate_proto::onebot::action` (its `NAME` and `Output`); messages are always sent as
//! segment arrays ([`Message`] serialises as one), never as CQ strings.
//!
//! ```no_run
//! # async fn demo(ctx: botgate_dispatch::Context) -> Result<(), botgate_dispatch::ActionCallError> {
//! use botgate_proto::onebot::Message;
//! let sent = ctx.onebot().send_group_msg(987654321, Message::text("hi")).await?;
//! ctx.onebot().delete_msg(sent.message_id).await?;
//! # Ok(()) }
//! ```

use botgate_proto::onebot::action::{
    ActionParams, DeleteMsg, GetGroupInfo, GetGroupMemberInfo, GetLoginInfo, GetMsg, GroupInfo,
    GroupMemberInfo, LoginInfo, MessageIdResult, MsgInfo, NoData, SendGroupMsg, SendMsg,
    SendPrivateMsg, SetGroupBan, SetGroupKick,
};
use botgate_proto::onebot::Message;

use crate::action::{ActionCallError, ActionCallErrorKind};
use crate::context::Context;

/// Typed OneBot actions for one handler invocation ([`Context::onebot`]).
#[derive(Debug, Clone, Copy)]
pub struct OneBotApi<'a> {
    ctx: &'a Context,
}

impl Context {
    /// Typed OneBot actions through this bot's action handle.
    pub fn onebot(&self) -> OneBotApi<'_> {
        OneBotApi { ctx: self }
    }
}

impl OneBotApi<'_> {
    /// Calls action `P::NAME` with `params` and decodes the answer's `data` as `P::Output`.
    ///
    /// # Errors
    /// [`ActionCallErrorKind::Unavailable`] without an action handle,
    /// [`ActionCallErrorKind::Malformed`] when the params do not serialise to an object or the
    /// answer does not decode, and the implementation's refusal or a transport failure.
    pub async fn call_typed<P: ActionParams>(
        &self,
        params: &P,
    ) -> Result<P::Output, ActionCallError> {
        let value = serde_json::to_value(params).map_err(|e| {
            ActionCallError::with_source(
                ActionCallErrorKind::Malformed {
                    reason: format!("{} params do not serialise", P::NAME),
                },
                e,
            )
        })?;
        let data = self.ctx.call(P::NAME, value).await?;
        // Some implementations answer `null` data for actions with nothing to say.
        botgate_proto::de::from_value(&data).map_err(|e| {
            ActionCallError::with_source(
                ActionCallErrorKind::Malformed {
                    reason: format!("{} answer data does not decode", P::NAME),
                },
                e,
            )
        })
    }

    /// `send_group_msg`: sends `message` (as segments) to a group.
    pub async fn send_group_msg(
        &self,
        group_id: i64,
        message: impl Into<Message>,
    ) -> Result<MessageIdResult, ActionCallError> {
        self.call_typed(&SendGroupMsg {
            group_id,
            message: message.into(),
            auto_escape: None,
        })
        .await
    }

    /// `send_private_msg`: sends `message` (as segments) to a user.
    pub async fn send_private_msg(
        &self,
        user_id: i64,
        message: impl Into<Message>,
    ) -> Result<MessageIdResult, ActionCallError> {
        self.call_typed(&SendPrivateMsg {
            user_id,
            group_id: None,
            message: message.into(),
            auto_escape: None,
        })
        .await
    }

    /// `send_private_msg` with `group_id`: a group temp chat (go-cqhttp, NapCat).
    pub async fn send_temp_msg(
        &self,
        group_id: i64,
        user_id: i64,
        message: impl Into<Message>,
    ) -> Result<MessageIdResult, ActionCallError> {
        self.call_typed(&SendPrivateMsg {
            user_id,
            group_id: Some(group_id),
            message: message.into(),
            auto_escape: None,
        })
        .await
    }

    /// `send_msg`: the generic send (set `message_type` and the id in `params`).
    pub async fn send_msg(&self, params: &SendMsg) -> Result<MessageIdResult, ActionCallError> {
        self.call_typed(params).await
    }

    /// `delete_msg`: recalls a message.
    pub async fn delete_msg(&self, message_id: i64) -> Result<(), ActionCallError> {
        let NoData = self.call_typed(&DeleteMsg { message_id }).await?;
        Ok(())
    }

    /// `get_msg`: fetches a message by id.
    pub async fn get_msg(&self, message_id: i64) -> Result<MsgInfo, ActionCallError> {
        self.call_typed(&GetMsg { message_id }).await
    }

    /// `get_login_info`: the logged-in account.
    pub async fn get_login_info(&self) -> Result<LoginInfo, ActionCallError> {
        self.call_typed(&GetLoginInfo {}).await
    }

    /// `get_group_info`: a group's name and member counts.
    pub async fn get_group_info(&self, group_id: i64) -> Result<GroupInfo, ActionCallError> {
        self.call_typed(&GetGroupInfo {
            group_id,
            no_cache: false,
        })
        .await
    }

    /// `get_group_member_info`: one member of a group.
    pub async fn get_group_member_info(
        &self,
        group_id: i64,
        user_id: i64,
    ) -> Result<GroupMemberInfo, ActionCallError> {
        self.call_typed(&GetGroupMemberInfo {
            group_id,
            user_id,
            no_cache: false,
        })
        .await
    }

    /// `set_group_ban`: mutes a member for `duration` seconds (0 lifts the ban).
    pub async fn set_group_ban(
        &self,
        group_id: i64,
        user_id: i64,
        duration: u64,
    ) -> Result<(), ActionCallError> {
        let NoData = self
            .call_typed(&SetGroupBan {
                group_id,
                user_id,
                duration,
            })
            .await?;
        Ok(())
    }

    /// `set_group_kick`: removes a member (`reject_add_request`: refuse their requests to
    /// rejoin).
    pub async fn set_group_kick(
        &self,
        group_id: i64,
        user_id: i64,
        reject_add_request: bool,
    ) -> Result<(), ActionCallError> {
        let NoData = self
            .call_typed(&SetGroupKick {
                group_id,
                user_id,
                reject_add_request,
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::future::BoxFuture;
    use futures_util::FutureExt;
    use serde_json::{json, Value};

    use super::*;
    use crate::action::{ActionCall, ActionSink};
    use crate::context::BotInfo;
    use crate::platform::{EventMeta, PlatformKind};

    struct Fake {
        calls: Mutex<Vec<ActionCall>>,
        answer: Value,
    }

    impl ActionSink for Fake {
        fn call(&self, action: ActionCall) -> BoxFuture<'static, Result<Value, ActionCallError>> {
            self.calls.lock().unwrap().push(action);
            let answer = self.answer.clone();
            async move { Ok(answer) }.boxed()
        }
    }

    fn with_answer(answer: Value) -> (Context, Arc<Fake>) {
        let fake = Arc::new(Fake {
            calls: Mutex::new(Vec::new()),
            answer,
        });
        let bot = BotInfo::new(PlatformKind::OneBot).with_actions(fake.clone());
        (
            Context::new(Arc::new(bot), Arc::new(EventMeta::default())),
            fake,
        )
    }

    #[tokio::test]
    async fn send_group_msg_sends_segments_and_decodes_the_id() {
        let (ctx, fake) = with_answer(json!({"message_id": "1234"}));
        let sent = ctx
            .onebot()
            .send_group_msg(987654321, Message::text("hi"))
            .await
            .unwrap();
        assert_eq!(sent.message_id, 1234, "a string id is read leniently");
        let calls = fake.calls.lock().unwrap();
        assert_eq!(calls[0].name, "send_group_msg");
        assert_eq!(
            calls[0].params,
            json!({"group_id": 987654321, "message": [{"type": "text", "data": {"text": "hi"}}]})
        );
    }

    #[tokio::test]
    async fn delete_msg_accepts_null_data_and_login_info_decodes() {
        let (ctx, fake) = with_answer(Value::Null);
        ctx.onebot().delete_msg(55).await.unwrap();
        assert_eq!(
            fake.calls.lock().unwrap()[0].params,
            json!({"message_id": 55})
        );

        let (ctx, fake) = with_answer(Value::Null);
        ctx.onebot().set_group_ban(9, 8, 600).await.unwrap();
        ctx.onebot().set_group_kick(9, 8, true).await.unwrap();
        let calls = fake.calls.lock().unwrap().clone();
        assert_eq!(
            (calls[0].name.as_str(), &calls[0].params),
            (
                "set_group_ban",
                &json!({"group_id": 9, "user_id": 8, "duration": 600})
            )
        );
        assert_eq!(
            (calls[1].name.as_str(), &calls[1].params),
            (
                "set_group_kick",
                &json!({"group_id": 9, "user_id": 8, "reject_add_request": true})
            )
        );

        let (ctx, _) = with_answer(json!({"user_id": 10001, "nickname": "bot"}));
        let me = ctx.onebot().get_login_info().await.unwrap();
        assert_eq!((me.user_id, me.nickname.as_str()), (10001, "bot"));
    }

    #[tokio::test]
    async fn call_typed_with_omitted_params_sends_the_standard_defaults() {
        use botgate_proto::onebot::action::{
            SendLike, SetFriendAddRequest, SetGroupAddRequest, SetGroupSpecialTitle,
        };
        // `api/public.md`: set_group_ban `duration` 30 * 60, set_group_add_request /
        // set_friend_add_request `approve` true, send_like `times` 1,
        // set_group_special_title `duration` -1 (decision 0086).
        let (ctx, fake) = with_answer(Value::Null);
        let api = ctx.onebot();
        api.call_typed(&SetGroupBan {
            group_id: 9,
            user_id: 8,
            ..Default::default()
        })
        .await
        .unwrap();
        api.call_typed(&SetGroupAddRequest {
            flag: "7|9|1".into(),
            sub_type: "add".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        api.call_typed(&SetFriendAddRequest {
            flag: "10001".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        api.call_typed(&SendLike {
            user_id: 8,
            ..Default::default()
        })
        .await
        .unwrap();
        api.call_typed(&SetGroupSpecialTitle {
            group_id: 9,
            user_id: 8,
            special_title: "t".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        let calls: Vec<(String, Value)> = fake
            .calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| (c.name.clone(), c.params.clone()))
            .collect();
        assert_eq!(
            calls,
            vec![
                (
                    "set_group_ban".to_owned(),
                    json!({"group_id": 9, "user_id": 8, "duration": 1800})
                ),
                (
                    "set_group_add_request".to_owned(),
                    json!({"flag": "7|9|1", "sub_type": "add", "approve": true, "reason": ""})
                ),
                (
                    "set_friend_add_request".to_owned(),
                    json!({"flag": "10001", "approve": true, "remark": ""})
                ),
                ("send_like".to_owned(), json!({"user_id": 8, "times": 1})),
                (
                    "set_group_special_title".to_owned(),
                    json!({"group_id": 9, "user_id": 8, "special_title": "t", "duration": -1})
                ),
            ]
        );
    }

    #[tokio::test]
    async fn an_undecodable_answer_is_malformed_and_no_sink_is_unavailable() {
        let (ctx, _) = with_answer(json!({"message_id": {"nested": true}}));
        let e = ctx
            .onebot()
            .send_private_msg(1, Message::text("x"))
            .await
            .unwrap_err();
        assert!(
            matches!(e.kind(), ActionCallErrorKind::Malformed { reason } if reason.contains("send_private_msg")),
            "{e}"
        );
        let bare = Context::new(
            Arc::new(BotInfo::new(PlatformKind::OneBot)),
            Arc::new(EventMeta::default()),
        );
        let e = bare.onebot().get_login_info().await.unwrap_err();
        assert_eq!(e.kind(), &ActionCallErrorKind::Unavailable);
    }
}
