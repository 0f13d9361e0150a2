//! [`PendingCall`]: one call of the async exports, run as far as it goes without waiting.
//!
//! The wasm calls the host's callbacks itself; when one returns a thenable, `resume` hands it
//! to `js/bindings.js`, which awaits it (against the `timeoutMs` timer) and resumes the call with
//! the outcome. The order of the I/O is the [`Driver`]'s; this module only feeds it.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert::{self, options_json, request_json};
use super::host::{self, Callbacks, Called, JsHost, Settled};
use super::{error, platform};
use crate::driver::{Driver, Want};
use crate::engine::error::{AuthProblem, PhoneError};
use crate::engine::http::{self, HttpResponse};
use crate::engine::options::{Options, DEFAULT_TIMEOUT_MS};
use crate::engine::reply::Reply;
use crate::engine::time::Timestamp;
use crate::engine::{self, Context, Operation};

/// A parsed call of any kind.
pub(super) type AnyCall = Box<dyn Operation<Reply = Reply>>;

#[wasm_bindgen(module = "/js/bindings.js")]
extern "C" {
    /// Runs `call` to its end: a Promise of its reply.
    #[wasm_bindgen(js_name = drive)]
    fn drive_in_js(call: PendingCall) -> Promise;
}

/// How a call begins: what the export was given, read once the call starts.
pub(super) type Start = Box<dyn FnOnce() -> Result<Stage, PhoneError>>;

/// One call in progress. Internal to the package: `js/bindings.js` is its only user.
#[wasm_bindgen(skip_typescript)]
pub struct PendingCall {
    /// handleHttp's calls end in an HTTP response, errors included; the others reply or throw.
    http: bool,
    stage: Stage,
}

/// Where a call is.
pub(super) enum Stage {
    /// Not started: the arguments are read from the microtask queue, as an `async fn`'s
    /// body would.
    Unstarted(Start),
    /// handleHttp: `host.authenticate(token)` comes first, then driving.
    Authenticate { token: String, next: Drive },
    /// Waiting for `host.authenticate`.
    Authenticating { callbacks: Callbacks, next: Drive },
    /// Running the driver over the host's callbacks.
    Driving { driver: Driver<AnyCall>, policy: Options, now: Timestamp, host: JsHost },
    /// Over: the reply or the error, for `finish`.
    Finished(Result<Reply, PhoneError>),
}

/// A call that is ready to load: the operation, its options, and where the host and the
/// clock come from.
pub(super) struct Drive {
    pub(super) operation: AnyCall,
    pub(super) policy: Options,
    pub(super) host: JsValue,
    pub(super) options: JsValue,
}

impl Drive {
    /// Reads the clock, checks the host's callbacks, and starts the driver.
    pub(super) fn start(self) -> Stage {
        let Drive { operation, policy, host, options } = self;
        let started = platform::now(&options).and_then(|now| {
            let host = JsHost::new(&host, operation.needs(), policy.timeout_ms)?;
            Ok((now, host))
        });
        match started {
            Ok((now, host)) => Stage::Driving { driver: Driver::new(operation), policy, now, host },
            Err(error) => Stage::Finished(Err(error)),
        }
    }
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

    /// Makes the next callback call, or moves to the next stage.
    fn step(&mut self) -> Next {
        let stage = core::mem::replace(&mut self.stage, Stage::Finished(Err(PhoneError::Conflict)));
        let (stage, next) = match stage {
            Stage::Unstarted(start) => {
                (start().unwrap_or_else(|error| Stage::Finished(Err(error))), Next::Step)
            }
            Stage::Authenticate { token, next } => {
                match host::authenticate(&next.host, &token, next.policy.timeout_ms) {
                    Ok((callbacks, called)) => {
                        (Stage::Authenticating { callbacks, next }, Next::from(called))
                    }
                    Err(error) => (Stage::Finished(Err(error)), Next::Step),
                }
            }
            Stage::Driving { mut driver, policy, now, host } => {
                // A callback that cannot be called (no sendSms, a record that cannot be
                // copied) fails its step with that error.
                let next = match driver.want() {
                    Want::Load(user_id) => Next::from(host.load(user_id)),
                    Want::Save(save) => match host.save(save) {
                        Ok(called) => Next::from(called),
                        Err(error) => {
                            driver.saved(Err(error));
                            Next::Step
                        }
                    },
                    Want::Send(message) => match host.send(message) {
                        Ok(called) => Next::from(called),
                        Err(error) => {
                            driver.sent(Err(error));
                            Next::Step
                        }
                    },
                    Want::Done => {
                        self.stage = Stage::Finished(driver.finish());
                        return Next::Finished;
                    }
                };
                (Stage::Driving { driver, policy, now, host }, next)
            }
            // An Authenticating stage is left by `deliver`, which its call's outcome reaches
            // before the next step.
            stage @ (Stage::Authenticating { .. } | Stage::Finished(_)) => (stage, Next::Finished),
        };
        self.stage = stage;
        next
    }

    /// Hands a callback's outcome to the step that made the call.
    fn deliver(&mut self, outcome: Settled) {
        let stage = core::mem::replace(&mut self.stage, Stage::Finished(Err(PhoneError::Conflict)));
        self.stage = match stage {
            Stage::Authenticating { callbacks, mut next } => {
                match host::authenticated(&callbacks, outcome) {
                    Ok(caller) => {
                        next.policy.caller = Some(caller);
                        next.start()
                    }
                    Err(error) => Stage::Finished(Err(error)),
                }
            }
            Stage::Driving { mut driver, policy, now, mut host } => {
                let ctx = Context { options: &policy, now };
                match driver.want() {
                    Want::Load(user_id) => {
                        let stored = host.loaded(outcome, user_id);
                        driver.loaded(stored, &ctx, &mut platform::PlatformRandom);
                    }
                    Want::Save(_) => driver.saved(host.saved(outcome)),
                    Want::Send(_) => driver.sent(host.sent(outcome)),
                    Want::Done => {}
                }
                Stage::Driving { driver, policy, now, host }
            }
            stage => stage,
        };
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
            Stage::Authenticating { callbacks, .. } => callbacks.timeout_ms,
            Stage::Driving { host, .. } => host.callbacks.timeout_ms,
            _ => DEFAULT_TIMEOUT_MS,
        }
    }

    /// The reply once the call is over; throws its `PhoneError` (handleHttp: always the
    /// response).
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let result =
            match core::mem::replace(&mut self.stage, Stage::Finished(Err(PhoneError::Conflict))) {
                Stage::Finished(result) => result,
                _ => Err(PhoneError::Conflict),
            };
        if self.http {
            let response = match result {
                Ok(reply) => HttpResponse::ok(&reply),
                Err(error) => HttpResponse::error(&error),
            };
            return Ok(convert::to_js(&response));
        }
        result.map(|reply| convert::to_js(&reply)).map_err(|e| error::to_js(&e))
    }
}

/// handleHttp's start: route and body (404, 405, 413, 415, 400), options, bearer token (401);
/// `host.authenticate` comes next.
pub(super) fn serve(
    request: &JsValue,
    host: JsValue,
    options: JsValue,
) -> Result<Stage, PhoneError> {
    let routed = http::parse_request(&request_json(request)?)?;
    let operation = routed.call.into_operation();
    let policy = engine::configure(&*operation, &options_json(&options)?)?;
    let token = routed.token.ok_or(PhoneError::Unauthenticated(AuthProblem::NoToken))?;
    Ok(Stage::Authenticate { token, next: Drive { operation, policy, host, options } })
}
