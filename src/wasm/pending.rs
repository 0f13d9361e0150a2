//! [`PendingCall`]: one call of the async exports, run as far as it goes without waiting.
//!
//! The [`Driver`] decides the order of the I/O; this module only translates what it wants into
//! calls of the JS host's callbacks and their outcomes back. When a callback returns a
//! thenable, `resume` hands it to `js/bindings.js`, which awaits it (against the `timeoutMs`
//! timer) and resumes the call with the outcome.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert::{self, options_json, request_json};
use super::host::{self, Called, JsHost, Settled};
use super::{error, platform};
use crate::driver::{Driver, Want};
use crate::engine::error::{Misuse, PhoneError};
use crate::engine::options::DEFAULT_TIMEOUT_MS;
use crate::engine::reply::Reply;
use crate::engine::Operation;
use crate::http::HttpResponse;

/// A parsed call of any kind.
pub(super) type AnyCall = Box<dyn Operation<Reply = Reply>>;

#[wasm_bindgen(module = "/js/bindings.js")]
extern "C" {
    /// Runs `call` to its end: a Promise of its reply.
    #[wasm_bindgen(js_name = drive)]
    fn drive_in_js(call: PendingCall) -> Promise;
}

/// How a call begins: what the export was given, read once the call starts.
pub(super) type Start = Box<dyn FnOnce() -> Result<Started, PhoneError>>;

/// A call whose arguments were read: its driver and the host object.
pub(super) struct Started {
    pub(super) driver: Driver<AnyCall>,
    pub(super) host: JsValue,
}

/// One call in progress. Internal to the package: `js/bindings.js` is its only user.
#[wasm_bindgen(skip_typescript)]
pub struct PendingCall {
    /// handleHttp's calls end in an HTTP response, errors included; the others reply or throw.
    http: bool,
    stage: Stage,
}

/// Where a call is.
enum Stage {
    /// Not started: the arguments are read from the microtask queue, as an `async fn`'s
    /// body would.
    Unstarted(Start),
    /// Running the driver over the host's callbacks.
    Driving { driver: Driver<AnyCall>, host: Host },
    /// Over: the reply or the error, for `finish`.
    Finished(Result<Reply, PhoneError>),
}

/// The host object, and its storage callbacks once checked (just before the first load, so
/// that an unauthenticated HTTP caller learns nothing about the host).
struct Host {
    object: JsValue,
    callbacks: Option<JsHost>,
}

impl From<Called> for Next {
    fn from(called: Called) -> Next {
        match called {
            Called::Settled(outcome) => Next::Settled(outcome),
            Called::Pending(thenable) => Next::Wait(thenable),
        }
    }
}

/// What to do after one step.
enum Next {
    /// A callback settled at once: hand its outcome to the step that waits for it.
    Settled(Settled),
    /// A callback returned a thenable: wait for it in JS.
    Wait(JsValue),
    /// The stage changed without I/O: take the next step.
    Step,
    Finished,
}

impl PendingCall {
    /// A call that starts with `start` and is run by `js/bindings.js`.
    pub(super) fn run(http: bool, start: Start) -> Promise {
        drive_in_js(PendingCall { http, stage: Stage::Unstarted(start) })
    }

    /// Runs until a callback's thenable must be awaited (returned) or the call is over
    /// (`undefined`). `settled` is the outcome of the thenable returned last.
    fn advance(&mut self, mut settled: Option<Settled>) -> JsValue {
        loop {
            if let Some(outcome) = settled.take() {
                self.deliver(outcome);
            }
            match self.step() {
                Next::Settled(outcome) => settled = Some(outcome),
                Next::Wait(thenable) => return thenable,
                Next::Step => {}
                Next::Finished => return JsValue::UNDEFINED,
            }
        }
    }

    /// Makes the callback call the driver wants, or moves to the next stage.
    fn step(&mut self) -> Next {
        let placeholder = Stage::Finished(Err(PhoneError::Misuse(Misuse::FinishedEarly)));
        let (stage, next) = match core::mem::replace(&mut self.stage, placeholder) {
            Stage::Unstarted(start) => match start() {
                Ok(Started { driver, host }) => {
                    let host = Host { object: host, callbacks: None };
                    (Stage::Driving { driver, host }, Next::Step)
                }
                Err(error) => (Stage::Finished(Err(error)), Next::Step),
            },
            Stage::Driving { mut driver, mut host } => {
                let next = call_host(&mut driver, &mut host);
                if let Next::Finished = next {
                    (Stage::Finished(driver.finish()), Next::Finished)
                } else {
                    (Stage::Driving { driver, host }, next)
                }
            }
            stage @ Stage::Finished(_) => (stage, Next::Finished),
        };
        self.stage = stage;
        next
    }

    /// Hands a callback's outcome to the driver, which asked for it.
    fn deliver(&mut self, outcome: Settled) {
        let Stage::Driving { driver, host } = &mut self.stage else { return };
        let timeout_ms = driver.options().timeout_ms;
        let misuse = || PhoneError::Misuse(Misuse::UnexpectedAnswer);
        match driver.want() {
            Want::Authenticate(_) => driver.authenticated(host::authenticated(outcome, timeout_ms)),
            Want::Load(user_id) => {
                let stored = match host.callbacks.as_mut() {
                    Some(callbacks) => callbacks.loaded(outcome, user_id),
                    None => Err(misuse()),
                };
                driver.loaded(stored, &mut platform::PlatformRandom);
            }
            Want::Reserve(_) => {
                let reserved =
                    host.callbacks.as_ref().map_or_else(|| Err(misuse()), |c| c.reserved(outcome));
                driver.reserved(reserved);
            }
            Want::Save(_) => {
                let won =
                    host.callbacks.as_ref().map_or_else(|| Err(misuse()), |c| c.saved(outcome));
                driver.saved(won);
            }
            Want::Send(_) => {
                let sent =
                    host.callbacks.as_ref().map_or_else(|| Err(misuse()), |c| c.sent(outcome));
                driver.sent(sent);
            }
            Want::Done => {}
        }
    }
}

/// Calls the host callback that `driver` wants; a callback that cannot be called (no
/// `sendSms`, a record that cannot be copied) fails the driver's step with that error.
fn call_host(driver: &mut Driver<AnyCall>, host: &mut Host) -> Next {
    let timeout_ms = driver.options().timeout_ms;
    match driver.want() {
        Want::Authenticate(token) => {
            let called = host::authenticate(&host.object, token, timeout_ms);
            next_or_fail(called, |error| driver.authenticated(Err(error)))
        }
        Want::Load(user_id) => {
            if host.callbacks.is_none() {
                match JsHost::new(&host.object, driver.needs(), timeout_ms) {
                    Ok(callbacks) => host.callbacks = Some(callbacks),
                    Err(error) => {
                        driver.loaded(Err(error), &mut platform::PlatformRandom);
                        return Next::Step;
                    }
                }
            }
            let called = host.callbacks().map(|callbacks| callbacks.load(user_id));
            next_or_fail(called, |error| driver.loaded(Err(error), &mut platform::PlatformRandom))
        }
        Want::Reserve(reservation) => {
            match host.callbacks().map(|callbacks| callbacks.reserve(reservation)) {
                Ok(Some(called)) => Next::from(called),
                // No counter on this host (reserved), or no callbacks.
                uncalled => {
                    driver.reserved(uncalled.map(|_| None));
                    Next::Step
                }
            }
        }
        Want::Save(save) => {
            let called = host.callbacks().and_then(|callbacks| callbacks.save(save));
            next_or_fail(called, |error| driver.saved(Err(error)))
        }
        Want::Send(message) => {
            let called = host.callbacks().and_then(|callbacks| callbacks.send(message));
            next_or_fail(called, |error| driver.sent(Err(error)))
        }
        Want::Done => Next::Finished,
    }
}

/// What calling a callback gave; when it could not be called, `fail` hands the error to the
/// step that wanted it.
fn next_or_fail(called: Result<Called, PhoneError>, fail: impl FnOnce(PhoneError)) -> Next {
    match called {
        Ok(called) => Next::from(called),
        Err(error) => {
            fail(error);
            Next::Step
        }
    }
}

impl Host {
    /// The checked storage callbacks, which the first load sets up.
    fn callbacks(&self) -> Result<&JsHost, PhoneError> {
        self.callbacks.as_ref().ok_or(PhoneError::Misuse(Misuse::UnexpectedAnswer))
    }
}

#[wasm_bindgen]
impl PendingCall {
    /// Starts the call; see [`resume`](Self::resume).
    pub fn start(&mut self) -> JsValue {
        self.advance(None)
    }

    /// Continues after the thenable returned last settled: `kind` 0 fulfilled with `value`, 1
    /// rejected with `value`, 2 timed out. Returns the next thenable to await, or `undefined`
    /// when the call is over.
    pub fn resume(&mut self, kind: u8, value: JsValue) -> JsValue {
        self.advance(Some(host::settled(kind, value)))
    }

    /// Milliseconds to wait for a thenable.
    #[wasm_bindgen(js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> u32 {
        match &self.stage {
            Stage::Driving { driver, .. } => driver.options().timeout_ms,
            _ => DEFAULT_TIMEOUT_MS,
        }
    }

    /// The reply once the call is over; throws its `PhoneError` (handleHttp: always the
    /// response).
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let placeholder = Stage::Finished(Err(PhoneError::Misuse(Misuse::FinishedEarly)));
        let result = match core::mem::replace(&mut self.stage, placeholder) {
            Stage::Finished(result) => result,
            _ => Err(PhoneError::Misuse(Misuse::FinishedEarly)),
        };
        if self.http {
            let response = match result {
                Ok(reply) => HttpResponse::ok(&reply),
                Err(error) => HttpResponse::error(&error),
            };
            return Ok(convert::to_js(&response));
        }
        result.and_then(|reply| reply_to_js(&reply)).map_err(|e| error::to_js(&e))
    }
}

/// A call's reply for JS. Variant by variant, so that the resource API's reply, which only
/// handleHttp gives (as JSON), is not also compiled for serde-wasm-bindgen.
fn reply_to_js(reply: &Reply) -> Result<JsValue, PhoneError> {
    match reply {
        Reply::Code(reply) => Ok(convert::to_js(reply)),
        Reply::Details(reply) => Ok(convert::to_js(reply)),
        Reply::Phone(reply) => Ok(convert::to_js(reply)),
        Reply::Resource(_) => Err(PhoneError::Misuse(Misuse::UnexpectedAnswer)),
    }
}

/// handleHttp's start: the driver checks route, body and token, then, once the caller is
/// authenticated, the options and the clock.
pub(super) fn serve(
    request: &JsValue,
    host: JsValue,
    options: JsValue,
) -> Result<Started, PhoneError> {
    let request = request_json(request)?;
    let policy = options_json(&options);
    let driver =
        Driver::http(&request, policy.as_ref().map_err(Clone::clone), || platform::now(&options))?;
    Ok(Started { driver, host })
}
