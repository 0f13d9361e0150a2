//! The sans-IO engine: pure decisions over the stored record.
//!
//! Each call is an [`Operation`]: parsed from JSON-shaped input ([`request`]), then, given the
//! stored record, a [`Context`] (options and the time) and a [`RandomSource`], it returns a
//! [`Decision`]: the record to save with its events, the effects to run after the save, and
//! the reply. Nothing here awaits, reads a clock or draws randomness itself, so every host
//! gets the same answers and the tests can fix time and randomness.
//!
//! One module per operation holds its decision: `set`, `verify`, `resend`, `remove` and `get`;
//! `decide` holds the steps they share.

pub mod auth;
pub mod code;
pub mod error;
pub mod event;
pub mod limits;
pub mod options;
pub mod phone;
pub(crate) mod read;
pub mod record;
pub mod reply;
pub mod request;
pub mod sms;
pub mod time;

mod decide;
mod get;
mod remove;
mod resend;
mod set;
mod verify;

use serde_json::Value;

use self::code::RandomSource;
use self::error::PhoneError;
use self::event::{Effect, PhoneEvent};
use self::limits::Reservation;
use self::options::{Options, PhoneRules};
use self::phone::{PhoneNumber, PhoneProblem};
use self::record::{Sequence, UserRecord};
use self::reply::Reply;
use self::time::Timestamp;

/// What a decision depends on besides the record and the request.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The call's options (caller, policy).
    pub options: &'a Options,
    /// The time of the call, read once by the host.
    pub now: Timestamp,
}

/// A record to store with compare-and-swap.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Save {
    /// The new record.
    pub record: UserRecord,
    /// The sequence the stored record must still have.
    pub expected: Sequence,
    /// What happened, one event per sequence step.
    pub events: Vec<PhoneEvent>,
}

/// The outcome of one operation on one stored record.
#[derive(Clone, PartialEq, Debug)]
#[must_use]
pub struct Decision<R> {
    /// The shared SMS counter to ask before saving, for a code that will be sent.
    pub reserve: Option<Reservation>,
    /// What to store, if anything changed.
    pub save: Option<Save>,
    /// What to do once the save succeeded.
    pub effects: Vec<Effect>,
    /// The reply, or an error that still comes with a save (a counted wrong code).
    pub outcome: Result<R, PhoneError>,
}

impl<R> Decision<R> {
    fn reply(reply: R) -> Self {
        Decision { reserve: None, save: None, effects: Vec::new(), outcome: Ok(reply) }
    }

    /// A save with no side effects, then `outcome`.
    fn saved(save: Save, outcome: Result<R, PhoneError>) -> Self {
        Decision { reserve: None, save: Some(save), effects: Vec::new(), outcome }
    }
}

/// What a call needs besides the record. It follows from the request alone, so that a missing
/// `codeSecret` or callback is reported before anything is loaded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Needs {
    /// Issues or checks codes, so needs `codeSecret`.
    pub code_secret: bool,
    /// May save, so needs `saveUser`.
    pub save: bool,
    /// May send an SMS, so needs `sendSms`.
    pub sms: bool,
}

/// A parsed call that can decide on a stored record.
pub trait Operation {
    /// The success reply.
    type Reply: Into<Reply>;
    /// Whose record to load.
    fn user_id(&self) -> &str;
    /// What the call needs.
    fn needs(&self) -> Needs;
    /// Checks 3 onwards of SPEC §2 on the stored record.
    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<Self::Reply>, PhoneError>;
}

/// An operation whose reply is the [`Reply`] of any call, in the shape its route answers with.
///
/// The bindings box every call as `Box<dyn Operation<Reply = Reply>>`, so one copy of the
/// driver serves all five calls.
pub struct Erased<O>(pub O, pub Shape);

/// How a route shapes a reply, given the user id: [`AS_IS`], or another API's message.
pub type Shape = fn(&str, Reply) -> Reply;

/// The reply as the call gives it.
pub const AS_IS: Shape = |_, reply| reply;

impl<O: Operation> Operation for Erased<O> {
    type Reply = Reply;

    fn user_id(&self) -> &str {
        self.0.user_id()
    }

    fn needs(&self) -> Needs {
        self.0.needs()
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<Reply>, PhoneError> {
        let decision = self.0.decide(stored, ctx, random)?;
        let outcome = decision.outcome.map(|reply| (self.1)(self.user_id(), reply.into()));
        Ok(Decision {
            reserve: decision.reserve,
            save: decision.save,
            effects: decision.effects,
            outcome,
        })
    }
}

impl<O: Operation + ?Sized> Operation for Box<O> {
    type Reply = O::Reply;

    fn user_id(&self) -> &str {
        (**self).user_id()
    }

    fn needs(&self) -> Needs {
        (**self).needs()
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<O::Reply>, PhoneError> {
        (**self).decide(stored, ctx, random)
    }
}

/// Checks the options of a parsed request (check 1 of SPEC §2 is parsing it), then check 2:
/// a misconfiguration such as a missing `codeSecret` is reported before anything is loaded,
/// then a missing caller.
pub fn prepare<O: Operation>(operation: O, options: &Value) -> Result<(O, Options), PhoneError> {
    let options = configure(&operation, options)?;
    options.caller()?;
    Ok((operation, options))
}

/// Reads the options and checks that they suit `operation` (a `codeSecret` for calls with
/// codes), leaving the caller to the host (HTTP authenticates after this).
pub fn configure<O: Operation + ?Sized>(
    operation: &O,
    options: &Value,
) -> Result<Options, PhoneError> {
    let options = Options::from_json(options)?;
    if operation.needs().code_secret {
        options.code_secret()?;
    }
    Ok(options)
}

/// Parses a phone number by the options' rules: default region, validation level and allowed
/// regions and types.
pub fn parse_phone(input: &str, rules: &PhoneRules) -> Result<PhoneNumber, PhoneError> {
    phone::parse(input, &rules.parse_options()).map_err(|problem| match problem {
        PhoneProblem::Empty => PhoneError::PhoneEmpty,
        problem => PhoneError::PhoneInvalid(problem),
    })
}

/// `normalizePhone`: the parsed number (see [`reply::NormalizedPhone`]); an input that is not
/// a string, or a number that fails the options' checks (by default: not valid), is an error
/// that says why.
pub fn normalize_phone(input: &Value, options: &Value) -> Result<PhoneNumber, PhoneError> {
    let input = input.as_str().ok_or_else(|| {
        PhoneError::field("input", error::FieldProblem::WrongType { expected: "a string".into() })
    })?;
    parse_phone(input, &PhoneRules::from_json(options)?)
}
