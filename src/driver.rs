//! The order of a call's I/O: load → decide → compare-and-swap save (with retries) → effects.
//!
//! [`Driver`] is that order as a state machine that does no I/O itself, as `quinn-proto` is to
//! `quinn`: it says what it wants next ([`Want`]) and is told how it went. Whoever owns the I/O
//! runs the loop: [`run`] over a [`Host`] (the tests' in-memory host), and in the wasm a few
//! lines of JS (`js/bindings.js`) that await the host's Promises, so the wasm carries no async
//! runtime.

use crate::engine::code::RandomSource;
use crate::engine::error::PhoneError;
use crate::engine::event::{Effect, SmsMessage};
use crate::engine::record::UserRecord;
use crate::engine::{Context, Decision, Operation, Save};

/// How often a lost compare-and-swap is retried (reload, decide again) before Aborted.
pub const MAX_RETRIES: usize = 3;

/// The I/O a [`Driver`] waits for.
#[derive(Debug)]
pub enum Want<'a> {
    /// The stored record of this user: answer with [`Driver::loaded`].
    Load(&'a str),
    /// This compare-and-swap save: answer with [`Driver::saved`].
    Save(&'a Save),
    /// This SMS: answer with [`Driver::sent`].
    Send(&'a SmsMessage),
    /// Nothing more: [`Driver::finish`] gives the result.
    Done,
}

/// One call's progress through its I/O.
///
/// The SMS goes out only after the save succeeded: a failed SMS can be resent, while a code
/// that was sent but never stored could not be verified.
pub struct Driver<O: Operation> {
    operation: O,
    /// Loads so far; each lost save costs one.
    loads: usize,
    state: State<O::Reply>,
}

enum State<R> {
    Load,
    Save(Decision<R>),
    /// Sending the decision's effects, from this index on.
    Send(Decision<R>, usize),
    Done(Result<R, PhoneError>),
}

impl<O: Operation> Driver<O> {
    /// A call that starts by loading the record.
    pub fn new(operation: O) -> Self {
        Driver { operation, loads: 0, state: State::Load }
    }

    /// What to do next.
    pub fn want(&self) -> Want<'_> {
        match &self.state {
            State::Load => Want::Load(self.operation.user_id()),
            State::Save(decision) => match &decision.save {
                Some(save) => Want::Save(save),
                None => Want::Done,
            },
            State::Send(decision, next) => match decision.effects.get(*next) {
                Some(Effect::SendSms(message)) => Want::Send(message),
                None => Want::Done,
            },
            State::Done(_) => Want::Done,
        }
    }

    /// The answer to [`Want::Load`]: the stored record (`None`: no such user), or the host's
    /// error, which ends the call.
    pub fn loaded(
        &mut self,
        stored: Result<Option<UserRecord>, PhoneError>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) {
        self.loads += 1;
        let decided = stored.and_then(|stored| self.operation.decide(stored.as_ref(), ctx, random));
        self.state = match decided {
            Ok(decision) if decision.save.is_some() => State::Save(decision),
            Ok(decision) => State::Send(decision, 0),
            Err(error) => State::Done(Err(error)),
        };
    }

    /// The answer to [`Want::Save`]: whether the save won (`false`: another writer changed
    /// the record first, so it is loaded again), or the host's error.
    pub fn saved(&mut self, won: Result<bool, PhoneError>) {
        let state = core::mem::replace(&mut self.state, State::Load);
        self.state = match (state, won) {
            (State::Save(decision), Ok(true)) => State::Send(decision, 0),
            (State::Save(_), Ok(false)) if self.loads <= MAX_RETRIES => State::Load,
            (State::Save(_), Ok(false)) => State::Done(Err(PhoneError::Conflict)),
            (_, Err(error)) => State::Done(Err(error)),
            (state, Ok(_)) => state,
        };
    }

    /// The answer to [`Want::Send`]: sent, or the host's error.
    pub fn sent(&mut self, sent: Result<(), PhoneError>) {
        let state = core::mem::replace(&mut self.state, State::Load);
        self.state = match (state, sent) {
            (State::Send(decision, next), Ok(())) => State::Send(decision, next + 1),
            (_, Err(error)) => State::Done(Err(error)),
            (state, Ok(())) => state,
        };
    }

    /// The call's result once [`Want::Done`]; before that, Aborted.
    pub fn finish(self) -> Result<O::Reply, PhoneError> {
        match self.state {
            State::Done(result) => result,
            State::Send(decision, next) if next >= decision.effects.len() => decision.outcome,
            _ => Err(PhoneError::Conflict),
        }
    }
}

/// Storage and SMS, provided by the embedding application.
///
/// Hosts run on one thread (wasm, or a test executor), so the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Host {
    /// The stored record of `user_id`, or `None` if there is no such user.
    async fn load_user(&self, user_id: &str) -> Result<Option<UserRecord>, PhoneError>;
    /// Stores `save.record` if the stored sequence still equals `save.expected`; `false` when
    /// another writer won.
    async fn save_user(&self, save: &Save) -> Result<bool, PhoneError>;
    /// Sends an SMS.
    async fn send_sms(&self, message: &SmsMessage) -> Result<(), PhoneError>;
}

/// Runs `operation` against `host`: the [`Driver`] loop with the host's futures awaited.
pub async fn run<H: Host, O: Operation>(
    host: &H,
    operation: O,
    ctx: &Context<'_>,
    random: &mut dyn RandomSource,
) -> Result<O::Reply, PhoneError> {
    let mut driver = Driver::new(operation);
    loop {
        match driver.want() {
            Want::Load(user_id) => {
                let stored = host.load_user(user_id).await;
                driver.loaded(stored, ctx, random);
            }
            Want::Save(save) => {
                let won = host.save_user(save).await;
                driver.saved(won);
            }
            Want::Send(message) => {
                let sent = host.send_sms(message).await;
                driver.sent(sent);
            }
            Want::Done => return driver.finish(),
        }
    }
}
