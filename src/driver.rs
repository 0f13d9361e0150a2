//! The order of a call's I/O: (authenticate →) load → decide → (reserve an SMS on the host's
//! shared counter →) compare-and-swap save (with retries) → effects.
//!
//! [`Driver`] is that order as a state machine that does no I/O itself, as `quinn-proto` is to
//! `quinn`: it says what it wants next ([`Want`]) and is told how it went. Whoever owns the I/O
//! runs the loop: [`run`] over a [`Host`] (the tests' in-memory host), and in the wasm a few
//! lines of JS (`js/bindings.js`) that await the host's Promises, so the wasm carries no async
//! runtime. [`Driver::http`] puts `handleHttp`'s checks in their order in front: route and
//! body, bearer token, authentication, then options and clock.

use serde_json::Value;

use crate::engine::auth::Caller;
use crate::engine::code::RandomSource;
use crate::engine::error::{AuthProblem, Misuse, PhoneError};
use crate::engine::event::{Effect, SmsMessage};
use crate::engine::limits::Reservation;
use crate::engine::options::Options;
use crate::engine::record::UserRecord;
use crate::engine::reply::Reply;
use crate::engine::time::Timestamp;
use crate::engine::{self, Context, Decision, Operation, Save};
use crate::http;

/// How often a lost compare-and-swap is retried (reload, decide again) before Aborted.
pub const MAX_RETRIES: usize = 3;

/// The I/O a [`Driver`] waits for.
#[derive(Debug)]
pub enum Want<'a> {
    /// The caller behind this bearer token: answer with [`Driver::authenticated`].
    Authenticate(&'a str),
    /// The stored record of this user: answer with [`Driver::loaded`].
    Load(&'a str),
    /// One SMS on the host's shared per-number counter: answer with [`Driver::reserved`].
    Reserve(&'a Reservation),
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
    options: Options,
    /// The time of the call, read once.
    now: Timestamp,
    /// Loads so far; each lost save costs one.
    loads: usize,
    /// The number reserved on the host's counter: a retry after a lost save reuses it.
    reserved: Option<String>,
    state: State<O::Reply>,
}

enum State<R> {
    /// Waiting for the caller behind this token; an options or clock error of the call is
    /// reported only once the caller is authenticated.
    Authenticate {
        token: String,
        deferred: Option<PhoneError>,
    },
    Load,
    /// Asking the host's counter before the save of a code that will be sent.
    Reserve(Decision<R>),
    Save(Decision<R>),
    /// Sending the decision's effects, from this index on.
    Send(Decision<R>, usize),
    Done(Result<R, PhoneError>),
}

/// A parsed HTTP call.
pub type HttpDriver = Driver<Box<dyn Operation<Reply = Reply>>>;

impl HttpDriver {
    /// `handleHttp`'s checks in order: route and body (404, 405, 413, 415, 400), the bearer
    /// token (401), then authentication, and only then what the options and the clock say: a
    /// caller without a valid token learns nothing about the server's configuration.
    pub fn http(
        request: &Value,
        options: Result<&Value, PhoneError>,
        now: impl FnOnce() -> Result<Timestamp, PhoneError>,
    ) -> Result<HttpDriver, PhoneError> {
        let (operation, token) = http::parse_request(request)?.into_parts();
        let token = token.ok_or(PhoneError::Unauthenticated(AuthProblem::NoToken))?;
        let configured = options.and_then(|options| engine::configure(&*operation, options));
        let (options, now, deferred) = match configured.and_then(|options| Ok((options, now()?))) {
            Ok((options, now)) => (options, now, None),
            Err(error) => (Options::default(), Timestamp::EPOCH, Some(error)),
        };
        let mut driver = Driver::new(operation, options, now);
        driver.state = State::Authenticate { token, deferred };
        Ok(driver)
    }
}

impl<O: Operation> Driver<O> {
    /// A call that starts by loading the record; the caller comes with `options`.
    pub fn new(operation: O, options: Options, now: Timestamp) -> Self {
        Driver { operation, options, now, loads: 0, reserved: None, state: State::Load }
    }

    /// What to do next.
    pub fn want(&self) -> Want<'_> {
        match &self.state {
            State::Authenticate { token, .. } => Want::Authenticate(token),
            State::Load => Want::Load(self.operation.user_id()),
            State::Reserve(decision) => match &decision.reserve {
                Some(reservation) => Want::Reserve(reservation),
                None => Want::Done,
            },
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

    /// The call's options, with the caller once authenticated.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// What the call needs of the host.
    pub fn needs(&self) -> engine::Needs {
        self.operation.needs()
    }

    /// The answer to [`Want::Authenticate`]: the caller, `None` for an unknown token
    /// (Unauthenticated), or the host's error.
    pub fn authenticated(&mut self, caller: Result<Option<Caller>, PhoneError>) {
        let state = core::mem::replace(&mut self.state, State::Load);
        self.state = match (state, caller) {
            (State::Authenticate { deferred: Some(error), .. }, Ok(Some(_))) => {
                State::Done(Err(error))
            }
            (State::Authenticate { .. }, Ok(Some(caller))) => {
                self.options.caller = Some(caller);
                State::Load
            }
            (State::Authenticate { .. }, Ok(None)) => {
                State::Done(Err(PhoneError::Unauthenticated(AuthProblem::UnknownToken)))
            }
            (_, Err(error)) => State::Done(Err(error)),
            (_, Ok(_)) => State::Done(Err(PhoneError::Misuse(Misuse::UnexpectedAnswer))),
        };
    }

    /// The answer to [`Want::Load`]: the stored record (`None`: no such user), or the host's
    /// error, which ends the call.
    pub fn loaded(
        &mut self,
        stored: Result<Option<UserRecord>, PhoneError>,
        random: &mut dyn RandomSource,
    ) {
        if !matches!(self.state, State::Load) {
            self.state = State::Done(Err(PhoneError::Misuse(Misuse::UnexpectedAnswer)));
            return;
        }
        self.loads += 1;
        let ctx = Context { options: &self.options, now: self.now };
        let decided =
            stored.and_then(|stored| self.operation.decide(stored.as_ref(), &ctx, random));
        self.state = match decided {
            Ok(decision) if self.needs_reservation(&decision) => State::Reserve(decision),
            Ok(decision) if decision.save.is_some() => State::Save(decision),
            Ok(decision) => State::Send(decision, 0),
            Err(error) => State::Done(Err(error)),
        };
    }

    /// Whether `decision` sends to a number not yet reserved by this call.
    fn needs_reservation(&self, decision: &Decision<O::Reply>) -> bool {
        decision.reserve.as_ref().is_some_and(|r| self.reserved.as_deref() != Some(&r.to))
    }

    /// The answer to [`Want::Reserve`]: reserved (`None`), the seconds until the number has
    /// room again (`PHONE-throttled`), or the host's error.
    pub fn reserved(&mut self, outcome: Result<Option<u64>, PhoneError>) {
        let state = core::mem::replace(&mut self.state, State::Load);
        self.state = match (state, outcome) {
            (State::Reserve(decision), Ok(None)) => {
                self.reserved = decision.reserve.as_ref().map(|r| r.to.clone());
                State::Save(decision)
            }
            (State::Reserve(_), Ok(Some(retry_after_seconds))) => {
                State::Done(Err(PhoneError::Throttled { retry_after_seconds }))
            }
            (_, Err(error)) => State::Done(Err(error)),
            (_, Ok(_)) => State::Done(Err(PhoneError::Misuse(Misuse::UnexpectedAnswer))),
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
            (_, Ok(_)) => State::Done(Err(PhoneError::Misuse(Misuse::UnexpectedAnswer))),
        };
    }

    /// The answer to [`Want::Send`]: sent, or the host's error.
    pub fn sent(&mut self, sent: Result<(), PhoneError>) {
        let state = core::mem::replace(&mut self.state, State::Load);
        self.state = match (state, sent) {
            (State::Send(decision, next), Ok(())) => State::Send(decision, next + 1),
            (_, Err(error)) => State::Done(Err(error)),
            (_, Ok(())) => State::Done(Err(PhoneError::Misuse(Misuse::UnexpectedAnswer))),
        };
    }

    /// The call's result once [`Want::Done`]; before that, an internal error.
    pub fn finish(self) -> Result<O::Reply, PhoneError> {
        match self.state {
            State::Done(result) => result,
            State::Send(decision, next) if next >= decision.effects.len() => decision.outcome,
            _ => Err(PhoneError::Misuse(Misuse::FinishedEarly)),
        }
    }
}

/// Storage, SMS and authentication, provided by the embedding application.
///
/// Hosts run on one thread (wasm, or a test executor), so the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Host {
    /// The caller behind a bearer token, or `None` if the token is unknown. A host without
    /// authentication knows no tokens.
    async fn authenticate(&self, _token: &str) -> Result<Option<Caller>, PhoneError> {
        Ok(None)
    }
    /// The stored record of `user_id`, or `None` if there is no such user.
    async fn load_user(&self, user_id: &str) -> Result<Option<UserRecord>, PhoneError>;
    /// Stores `save.record` if the stored sequence still equals `save.expected`; `false` when
    /// another writer won.
    async fn save_user(&self, save: &Save) -> Result<bool, PhoneError>;
    /// Sends an SMS.
    async fn send_sms(&self, message: &SmsMessage) -> Result<(), PhoneError>;
    /// Takes one SMS from the shared per-number counter: `None` when reserved, else the
    /// seconds until the number has room. A host without such a counter reserves everything.
    async fn reserve_sms(&self, _reservation: &Reservation) -> Result<Option<u64>, PhoneError> {
        Ok(None)
    }
}

/// Runs `operation` against `host` with the options and time of `ctx`.
pub async fn run<H: Host, O: Operation>(
    host: &H,
    operation: O,
    ctx: &Context<'_>,
    random: &mut dyn RandomSource,
) -> Result<O::Reply, PhoneError> {
    drive(host, Driver::new(operation, ctx.options.clone(), ctx.now), random).await
}

/// Runs `driver` to its end against `host`: the [`Driver`] loop with the host's futures
/// awaited.
pub async fn drive<H: Host, O: Operation>(
    host: &H,
    mut driver: Driver<O>,
    random: &mut dyn RandomSource,
) -> Result<O::Reply, PhoneError> {
    loop {
        match driver.want() {
            Want::Authenticate(token) => {
                let caller = host.authenticate(token).await;
                driver.authenticated(caller);
            }
            Want::Load(user_id) => {
                let stored = host.load_user(user_id).await;
                driver.loaded(stored, random);
            }
            Want::Reserve(reservation) => {
                let reserved = host.reserve_sms(reservation).await;
                driver.reserved(reserved);
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
