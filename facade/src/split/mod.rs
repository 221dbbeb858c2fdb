//! The gateway / worker split on Redis (feature `redis`, issue 17, decisions 0018 and 0023):
//! gateway processes hold the sockets and publish each event to a Redis Stream; worker
//! processes run the handlers ([`Worker`]), acknowledging each event once its handlers have
//! run. A OneBot handler's actions and `ctx.reply` go back to the gateway that holds the
//! account's socket ([`serve_actions`] on the gateway, a relay in the worker).
//!
//! ```no_run
//! # async fn demo() -> Result<(), botgate_redis::Error> {
//! use botgate::split::Worker;
//! use botgate::QqHandlers;
//! use botgate_redis::EventStream;
//!
//! let stream = EventStream::connect("redis://127.0.0.1:6379/0", "botgate:events").await?;
//! let mut handlers = QqHandlers::new();
//! handlers.on_at_message_create(|_ctx, m| async move {
//!     println!("{}", m.content);
//!     Ok(())
//! });
//! let consumer = stream.consumer("workers", "worker-1").await?;
//! Worker::new(consumer).qq(handlers).run(std::future::pending()).await?;
//! # Ok(()) }
//! ```

mod actions;
mod gateway;
mod worker;

pub use gateway::{
    publish_frames, publish_frames_for, publish_onebot, serve_actions, PUBLISH_RETRY_FOR,
};
pub use worker::{Worker, WorkerStats};
