//! [`EventReceiver`]: the bounded channel from a session driver to its consumer (decision
//! 0043).
//!
//! A flood of events crossed a tokio `mpsc` channel one by one. Each send paid a semaphore
//! permit, a slot claimed in the channel's list, a ready bit and a waker check, all atomic
//! operations: 3 % of a one-core client's time at 0.95 M QQ events/s (`perf`). Here the
//! driver hands over the events of a burst of frames under one lock, with one wake-up, and the
//! consumer takes them in batches under one lock. The semantics are `mpsc`'s: bounded, in
//! order, `None` once every sender is gone and the queue is empty, and senders see the
//! receiver's end.

use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

pub use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::error::TrySendError;

/// The channel's state, all under one lock.
struct State<T> {
    queue: VecDeque<T>,
    senders: usize,
    /// False once the receiver is closed or dropped: sends fail from then on.
    open: bool,
    /// The receiver's task, while it waits for an item.
    receiver: Option<Waker>,
    /// Senders waiting for room (one entry per task).
    want_room: Vec<Waker>,
    /// Senders waiting for the receiver's end (one entry per task).
    want_close: Vec<Waker>,
}

struct Chan<T> {
    state: Mutex<State<T>>,
    /// The queue's length as of its last change, read without the lock. Only the senders'
    /// batches raise it, so to the sender that last sent it is never below the true length.
    len: AtomicUsize,
    /// The most items the queue holds (immutable: read without the lock).
    capacity: usize,
}

impl<T> Chan<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic while holding it (in a caller's code between a batch's sends: the session
        // machine, `wrap`) leaves the queue whole: a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Adds `waker` to `wakers` unless a waker of the same task is there already: a waiter that is
/// polled again (a `select!` loop) does not pile up entries. The senders are the drivers' tokio
/// tasks, whose wakers of one task `will_wake` each other (tested below).
fn register(wakers: &mut Vec<Waker>, waker: &Waker) {
    if !wakers.iter().any(|w| w.will_wake(waker)) {
        wakers.push(waker.clone());
    }
}

/// Makes `waker` the receiver's (a clone only when it is another task's).
fn wait_here(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(w) if w.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

fn wake_all(wakers: Vec<Waker>) {
    for waker in wakers {
        waker.wake();
    }
}

/// A channel holding up to `capacity` items (at least 1).
pub(crate) fn channel<T>(capacity: usize) -> (EventSender<T>, EventReceiver<T>) {
    let capacity = capacity.max(1);
    let chan = Arc::new(Chan {
        len: AtomicUsize::new(0),
        capacity,
        state: Mutex::new(State {
            queue: VecDeque::new(),
            senders: 1,
            open: true,
            receiver: None,
            want_room: Vec::new(),
            want_close: Vec::new(),
        }),
    });
    (
        EventSender {
            chan: Arc::clone(&chan),
        },
        EventReceiver { chan },
    )
}

/// The driver's end of the channel.
pub(crate) struct EventSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> EventSender<T> {
    /// A batch of sends under one lock; the receiver is woken once, when the batch ends. Keep
    /// it short: the receiver waits for the lock meanwhile.
    pub(crate) fn batch(&self) -> Batch<'_, T> {
        Batch {
            chan: &self.chan,
            state: Some(self.chan.lock()),
            sent: false,
        }
    }

    /// Whether `more` items could fill the channel, judged without its lock from the length
    /// last seen. For a lone sender never below the true one (only its sends raise it); with
    /// several (shards) it may be, so a shard can then hold up to one burst more than this
    /// suggests, never more than the bound in the channel.
    pub(crate) fn may_fill(&self, more: usize) -> bool {
        self.chan.len.load(Ordering::Relaxed) + more >= self.chan.capacity
    }

    /// Sends `item` if there is room (the driver sends in batches; the tests one by one).
    #[cfg(test)]
    pub(crate) fn try_send(&self, item: T) -> Result<(), TrySendError<T>> {
        self.batch().push(item)
    }

    /// Sends `items` in order under one lock, stopping at the first that does not fit or
    /// when the receiver is gone; the rest are dropped. Returns (sent, dropped). What arrives
    /// is a prefix of `items`: with one `try_send` each, a receiver taking an item between two
    /// sends could let a later item in after an earlier one was refused, and a consumer that
    /// saves a handled point would then step over the missing one.
    pub(crate) fn send_prefix(&self, items: impl IntoIterator<Item = T>) -> (usize, usize) {
        let mut batch = self.batch();
        let mut items = items.into_iter();
        let mut sent = 0;
        for item in items.by_ref() {
            if batch.push(item).is_err() {
                // The refused item, and every one after it.
                return (sent, 1 + items.count());
            }
            sent += 1;
        }
        (sent, 0)
    }

    /// Waits until the channel has room (`true`) or the receiver is gone (`false`).
    /// Cancel safe.
    pub(crate) async fn room(&self) -> bool {
        poll_fn(|cx| {
            let mut state = self.chan.lock();
            if !state.open {
                Poll::Ready(false)
            } else if state.queue.len() < self.chan.capacity {
                Poll::Ready(true)
            } else {
                register(&mut state.want_room, cx.waker());
                Poll::Pending
            }
        })
        .await
    }

    /// Waits until the receiver is closed or dropped. Cancel safe.
    pub(crate) async fn closed(&self) {
        poll_fn(|cx| {
            let mut state = self.chan.lock();
            if state.open {
                register(&mut state.want_close, cx.waker());
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
    }
}

impl<T> Clone for EventSender<T> {
    fn clone(&self) -> Self {
        self.chan.lock().senders += 1;
        Self {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Drop for EventSender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.chan.lock();
            state.senders -= 1;
            if state.senders == 0 {
                state.receiver.take()
            } else {
                None
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Sends under one lock (see [`EventSender::batch`]).
pub(crate) struct Batch<'a, T> {
    chan: &'a Chan<T>,
    /// Always `Some` until the batch is dropped.
    state: Option<MutexGuard<'a, State<T>>>,
    sent: bool,
}

impl<T> Batch<'_, T> {
    /// Sends `item` if there is room.
    pub(crate) fn push(&mut self, item: T) -> Result<(), TrySendError<T>> {
        let Some(state) = self.state.as_mut() else {
            return Err(TrySendError::Closed(item));
        };
        if !state.open {
            return Err(TrySendError::Closed(item));
        }
        if state.queue.len() >= self.chan.capacity {
            return Err(TrySendError::Full(item));
        }
        state.queue.push_back(item);
        self.sent = true;
        Ok(())
    }
}

impl<T> Drop for Batch<'_, T> {
    fn drop(&mut self) {
        let Some(mut state) = self.state.take() else {
            return;
        };
        let waker = if self.sent {
            self.chan.len.store(state.queue.len(), Ordering::Relaxed);
            state.receiver.take()
        } else {
            None
        };
        // Woken once the lock is released: on another thread the receiver may run at once.
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The consumer's end of a session driver's event channel: [`recv`](Self::recv) the events in
/// order; `None` once the driver has ended and every event was taken.
pub struct EventReceiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> fmt::Debug for EventReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.chan.lock();
        f.debug_struct("EventReceiver")
            .field("len", &state.queue.len())
            .field("capacity", &self.chan.capacity)
            .field("senders", &state.senders)
            .finish_non_exhaustive()
    }
}

impl<T> EventReceiver<T> {
    /// The next event; `None` once the driver has ended and every event was taken.
    /// Cancel safe.
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next event (see [`recv`](Self::recv)).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.pop(Some(cx.waker())) {
            Ok(item) => Poll::Ready(Some(item)),
            Err(TryRecvError::Disconnected) => Poll::Ready(None),
            Err(TryRecvError::Empty) => Poll::Pending,
        }
    }

    /// Waits for at least one event and appends up to `limit` of those waiting to `buf`;
    /// returns how many, 0 once the driver has ended and every event was taken (or when
    /// `limit` is 0). Cancel safe.
    pub async fn recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
        if limit == 0 {
            return 0;
        }
        poll_fn(|cx| self.poll_take(cx, buf, limit)).await
    }

    /// The next event if one is waiting.
    ///
    /// # Errors
    /// [`TryRecvError::Empty`] when none waits, [`TryRecvError::Disconnected`] once the
    /// driver has ended and every event was taken.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.pop(None)
    }

    /// The next event; when there is none, the receiver waits with `waker` (if given) unless
    /// every sender is gone.
    fn pop(&self, waker: Option<&Waker>) -> Result<T, TryRecvError> {
        let mut state = self.chan.lock();
        match state.queue.pop_front() {
            Some(item) => {
                self.chan.len.store(state.queue.len(), Ordering::Relaxed);
                let waiting = std::mem::take(&mut state.want_room);
                drop(state);
                wake_all(waiting);
                Ok(item)
            }
            None if state.senders == 0 => Err(TryRecvError::Disconnected),
            None => {
                if let Some(waker) = waker {
                    wait_here(&mut state.receiver, waker);
                }
                Err(TryRecvError::Empty)
            }
        }
    }

    /// Whether no event waits.
    pub fn is_empty(&self) -> bool {
        self.chan.lock().queue.is_empty()
    }

    /// How many events wait.
    pub fn len(&self) -> usize {
        self.chan.lock().queue.len()
    }

    /// Stops the driver's sends (it then ends as when the receiver is dropped); the events
    /// already sent can still be received. Unlike tokio's `mpsc`, `recv` gives `None` only
    /// once the driver has ended (its close handshake, at most `close_timeout`, and its last
    /// save), not as soon as the queue is empty: the driver is the sender until then.
    pub fn close(&mut self) {
        let (room, close) = {
            let mut state = self.chan.lock();
            state.open = false;
            (
                std::mem::take(&mut state.want_room),
                std::mem::take(&mut state.want_close),
            )
        };
        wake_all(room);
        wake_all(close);
    }

    fn poll_take(&mut self, cx: &mut Context<'_>, buf: &mut Vec<T>, limit: usize) -> Poll<usize> {
        let mut state = self.chan.lock();
        if state.queue.is_empty() {
            if state.senders == 0 {
                return Poll::Ready(0);
            }
            wait_here(&mut state.receiver, cx.waker());
            return Poll::Pending;
        }
        let n = limit.min(state.queue.len());
        buf.extend(state.queue.drain(..n));
        self.chan.len.store(state.queue.len(), Ordering::Relaxed);
        let waiting = std::mem::take(&mut state.want_room);
        drop(state);
        wake_all(waiting);
        Poll::Ready(n)
    }
}

impl<T> Drop for EventReceiver<T> {
    fn drop(&mut self) {
        self.close();
        // The events nobody will take are dropped outside the lock.
        let left = std::mem::take(&mut self.chan.lock().queue);
        drop(left);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::time::Duration;

    #[tokio::test]
    async fn items_arrive_in_order_and_none_follows_the_last_sender() {
        let (tx, mut rx) = channel::<u32>(8);
        let tx2 = tx.clone();
        {
            let mut batch = tx.batch();
            for i in 0..5 {
                batch.push(i).unwrap();
            }
        }
        tx2.try_send(5).unwrap();
        assert_eq!(rx.len(), 6);
        let mut buf = Vec::new();
        assert_eq!(rx.recv_many(&mut buf, 4).await, 4);
        assert_eq!(buf, [0, 1, 2, 3]);
        assert_eq!(rx.recv().await, Some(4));
        drop(tx);
        assert_eq!(rx.try_recv().unwrap(), 5);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        drop(tx2);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(rx.recv().await, None);
        assert_eq!(rx.recv_many(&mut buf, 4).await, 0);
        assert!(rx.is_empty());
    }

    #[tokio::test]
    async fn may_fill_follows_the_length_without_the_lock() {
        let (tx, mut rx) = channel::<u32>(8);
        {
            let mut batch = tx.batch();
            for i in 0..5 {
                batch.push(i).unwrap();
            }
        }
        assert!(tx.may_fill(3));
        assert!(!tx.may_fill(2));
        assert_eq!(rx.recv().await, Some(0));
        assert!(!tx.may_fill(3));
        let mut buf = Vec::new();
        rx.recv_many(&mut buf, 8).await;
        assert!(!tx.may_fill(7));
        assert!(tx.may_fill(8));
    }

    #[tokio::test]
    async fn a_full_channel_refuses_and_room_waits_for_the_receiver() {
        let (tx, mut rx) = channel::<u32>(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        assert!(matches!(tx.try_send(3), Err(TrySendError::Full(3))));
        let sender = tokio::spawn(async move {
            assert!(tx.room().await);
            tx.try_send(3).unwrap();
            tx
        });
        tokio::task::yield_now().await;
        assert!(!sender.is_finished());
        assert_eq!(rx.recv().await, Some(1));
        let _tx = sender.await.unwrap();
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, Some(3));
    }

    #[tokio::test]
    async fn a_waiting_receiver_is_woken_by_a_batch_from_another_task() {
        let (tx, mut rx) = channel::<u32>(64);
        let receiver = tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(i) = rx.recv().await {
                got.push(i);
            }
            got
        });
        let sender = tokio::spawn(async move {
            for chunk in 0..10u32 {
                while !tx.room().await {}
                {
                    let mut batch = tx.batch();
                    for i in 0..5 {
                        batch.push(chunk * 5 + i).unwrap();
                    }
                }
                tokio::task::yield_now().await;
            }
        });
        sender.await.unwrap();
        let got = tokio::time::timeout(Duration::from_secs(10), receiver)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, (0..50).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nothing_is_lost_across_threads_under_backpressure() {
        let (tx, mut rx) = channel::<u64>(16);
        let n = 100_000u64;
        let sender = tokio::spawn(async move {
            let mut next = 0;
            while next < n {
                assert!(tx.room().await);
                {
                    let mut batch = tx.batch();
                    while next < n && batch.push(next).is_ok() {
                        next += 1;
                    }
                }
            }
        });
        let mut buf = Vec::new();
        let mut expected = 0;
        loop {
            buf.clear();
            if rx.recv_many(&mut buf, 7).await == 0 {
                break;
            }
            for i in &buf {
                assert_eq!(*i, expected);
                expected += 1;
            }
        }
        sender.await.unwrap();
        assert_eq!(expected, n);
    }

    #[tokio::test]
    async fn a_prefix_send_stops_at_the_first_item_that_does_not_fit() {
        let (tx, mut rx) = channel::<u32>(3);
        tx.try_send(0).unwrap();
        assert_eq!(tx.send_prefix([1, 2, 3, 4]), (2, 2));
        let mut got = Vec::new();
        while let Ok(i) = rx.try_recv() {
            got.push(i);
        }
        assert_eq!(got, [0, 1, 2]);
        assert_eq!(tx.send_prefix([5, 6]), (2, 0));
        rx.close();
        assert_eq!(tx.send_prefix([7, 8]), (0, 2));
    }

    /// The shutdown tail of a driver (review of stop 28): sent while a receiver on another
    /// thread frees room, it arrives as a prefix, never with a hole. One `try_send` per item
    /// let a later item in after an earlier one was refused.
    #[test]
    fn a_tail_sent_while_the_receiver_takes_arrives_without_a_hole() {
        use std::sync::atomic::AtomicBool;
        for _ in 0..50 {
            let (tx, mut rx) = channel::<u32>(4);
            for i in 0..4 {
                tx.try_send(i).unwrap();
            }
            let started = Arc::new(AtomicBool::new(false));
            let taker = std::thread::spawn({
                let started = Arc::clone(&started);
                move || {
                    started.store(true, Ordering::Release);
                    let mut got = Vec::new();
                    loop {
                        match rx.try_recv() {
                            Ok(i) => got.push(i),
                            Err(TryRecvError::Empty) => {}
                            Err(TryRecvError::Disconnected) => return got,
                        }
                        // Room now and then, while the tail is being sent.
                        for _ in 0..64 {
                            std::hint::spin_loop();
                        }
                    }
                }
            });
            while !started.load(Ordering::Acquire) {
                std::hint::spin_loop();
            }
            let (sent, dropped) = tx.send_prefix(100..1100);
            drop(tx);
            let got = taker.join().unwrap();
            assert_eq!(sent + dropped, 1000);
            assert_eq!(got[..4], [0, 1, 2, 3]);
            let tail: Vec<u32> = got[4..].to_vec();
            assert_eq!(tail, (100..100 + sent as u32).collect::<Vec<_>>());
        }
    }

    #[tokio::test]
    async fn the_receivers_end_fails_sends_and_wakes_the_senders_waiting() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(1).unwrap();
        let waiter = tokio::spawn(async move {
            let room = tx.room().await;
            tx.closed().await;
            (room, tx.try_send(2))
        });
        tokio::task::yield_now().await;
        rx.close();
        let (room, sent) = waiter.await.unwrap();
        assert!(!room);
        assert!(matches!(sent, Err(TrySendError::Closed(2))));
        // What was sent before the close is still received.
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_dropped_receiver_drops_what_was_left() {
        let (tx, rx) = channel::<Arc<()>>(4);
        let item = Arc::new(());
        tx.try_send(Arc::clone(&item)).unwrap();
        drop(rx);
        assert_eq!(Arc::strong_count(&item), 1);
        assert!(matches!(tx.try_send(item), Err(TrySendError::Closed(_))));
        tx.closed().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tokio_task_in_a_select_loop_waits_once() {
        // The driver's loop: `room` and `closed` polled in a `select!` turn after turn.
        let (tx, _rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let tx = tokio::spawn(async move {
            for _ in 0..100 {
                tokio::select! {
                    biased;
                    () = tx.closed() => panic!("the receiver is alive"),
                    _ = tx.room() => panic!("the channel is full"),
                    () = tokio::task::yield_now() => {}
                }
            }
            tx
        })
        .await
        .unwrap();
        let state = tx.chan.lock();
        assert_eq!((state.want_room.len(), state.want_close.len()), (1, 1));
    }

    #[test]
    fn a_task_polled_again_waits_once() {
        let (tx, _rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        // A waker of one task: its clones `will_wake` each other (`Waker::noop`'s need not).
        struct Task;
        impl std::task::Wake for Task {
            fn wake(self: Arc<Self>) {}
        }
        let waker = Waker::from(Arc::new(Task));
        let mut cx = Context::from_waker(&waker);
        for _ in 0..3 {
            let mut room = Box::pin(tx.room());
            assert!(room.as_mut().poll(&mut cx).is_pending());
            let mut closed = Box::pin(tx.closed());
            assert!(closed.as_mut().poll(&mut cx).is_pending());
        }
        let state = tx.chan.lock();
        assert_eq!((state.want_room.len(), state.want_close.len()), (1, 1));
    }
}
