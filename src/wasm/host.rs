//! [`JsHost`]: the JS host object (`loadUser`, `saveUser`, `sendSms`, `reserveSms`,
//! `authenticate`) and
//! what its callbacks return.
//!
//! Members are read with a checked cast, since a user's object can hold anything; every call
//! passes the host as `this`. A plain return value is used at once; a thenable goes to
//! `js/bindings.js`, which awaits it against the `timeoutMs` timer. Whatever a callback throws,
//! rejects or returns becomes a `PhoneError` naming the callback.

use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;

use super::convert;
use crate::engine::auth::Caller;
use crate::engine::error::{Callback, PhoneError};
use crate::engine::event::SmsMessage;
use crate::engine::limits::Reservation;
use crate::engine::record::UserRecord;
use crate::engine::{Needs, Save};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Object, js_name = assign, catch)]
    fn object_assign(target: &Object, first: &JsValue, second: &JsValue)
        -> Result<Object, JsValue>;
}

/// Why a callback gave no usable value.
pub(super) enum Failure {
    /// It threw or rejected; the text says with what.
    Failed(String),
    /// Its Promise did not settle within the timeout.
    TimedOut,
}

impl Failure {
    /// The error of `callback`'s failure: `failed` names a throw or rejection; a timeout is
    /// HostTimeout whichever callback it was.
    fn into_error(
        self,
        callback: Callback,
        timeout_ms: u32,
        failed: impl FnOnce(String) -> PhoneError,
    ) -> PhoneError {
        match self {
            Failure::Failed(cause) => failed(cause),
            Failure::TimedOut => PhoneError::HostTimeout { callback, timeout_ms },
        }
    }
}

/// What a callback gave in the end: its value (awaited, if it was a thenable), or why not.
pub(super) type Settled = Result<JsValue, Failure>;

/// What calling a callback gave at once.
pub(super) enum Called {
    Settled(Settled),
    /// A thenable, for `js/bindings.js` to await.
    Pending(JsValue),
}

/// A host object as the caller of its callbacks.
pub(super) struct Callbacks {
    this: JsValue,
    pub(super) timeout_ms: u32,
}

impl Callbacks {
    /// `host[name]` as a function.
    fn function(&self, name: &str) -> Result<Function, String> {
        self.member(name)?.ok_or_else(|| format!("host.{name} must be a function"))
    }

    /// `host[name]` as a function, or `None` when it is absent (`undefined` or `null`).
    fn member(&self, name: &str) -> Result<Option<Function>, String> {
        let member = convert::property(&self.this, name)
            .map_err(|cause| format!("reading host.{name} threw {cause}"))?;
        if member.is_undefined() || member.is_null() {
            return Ok(None);
        }
        member
            .dyn_into::<Function>()
            .map(Some)
            .map_err(|_| format!("host.{name} must be a function"))
    }

    /// Calls `function` with the host as `this`.
    pub(super) fn call(&self, function: &Function, args: &[&JsValue]) -> Called {
        let threw =
            |thrown: JsValue| Failure::Failed(format!("threw {}", convert::describe(&thrown)));
        let returned = match args {
            [a] => function.call1(&self.this, a),
            [a, b, c] => function.call3(&self.this, a, b, c),
            _ => function.call0(&self.this),
        };
        let returned = match returned {
            Ok(returned) => returned,
            Err(thrown) => return Called::Settled(Err(threw(thrown))),
        };
        // A plain value (a synchronous host) needs no Promise, microtask or timer: only a
        // thenable is awaited. Reading `then` may run a getter, so it is guarded too.
        if returned.is_object() || returned.is_function() {
            match convert::property(&returned, "then") {
                Ok(then) if then.is_function() => return Called::Pending(returned),
                Ok(_) => {}
                Err(cause) => {
                    return Called::Settled(Err(Failure::Failed(format!("threw {cause}"))))
                }
            }
        }
        Called::Settled(Ok(returned))
    }

    fn storage_error(&self, callback: Callback, failure: Failure) -> PhoneError {
        failure.into_error(callback, self.timeout_ms, |cause| PhoneError::HostStorage {
            callback,
            cause,
        })
    }
}

/// What a settled Promise gave, as `js/bindings.js` reports it: 0 fulfilled with `value`,
/// 1 rejected with `value`, 2 timed out.
pub(super) fn settled(kind: u8, value: JsValue) -> Settled {
    match kind {
        0 => Ok(value),
        1 => Err(Failure::Failed(format!("rejected with {}", convert::describe(&value)))),
        _ => Err(Failure::TimedOut),
    }
}

fn is_object(host: &JsValue) -> bool {
    host.is_object() || host.is_function()
}

/// The host object and the callbacks a call needs.
pub(super) struct JsHost {
    pub(super) callbacks: Callbacks,
    load_user: Function,
    save_user: Option<Function>,
    send_sms: Option<Function>,
    /// The optional shared per-number counter.
    reserve_sms: Option<Function>,
    /// The record as `loadUser` returned it: saves are merged into a copy of it, so that
    /// fields the library does not own are kept exactly.
    loaded: JsValue,
}

impl JsHost {
    /// Checks up front that the callbacks the call will use are functions, so that a missing
    /// `sendSms` is reported before anything is saved.
    pub(super) fn new(host: &JsValue, needs: Needs, timeout_ms: u32) -> Result<JsHost, PhoneError> {
        if !is_object(host) {
            return Err(PhoneError::storage(
                Callback::Host,
                "must be an object with loadUser, saveUser and sendSms",
            ));
        }
        let callbacks = Callbacks { this: host.clone(), timeout_ms };
        let storage = |callback: Callback| {
            callbacks
                .function(callback.name())
                .map_err(|cause| PhoneError::HostStorage { callback, cause })
        };
        let load_user = storage(Callback::LoadUser)?;
        let save_user = if needs.save { Some(storage(Callback::SaveUser)?) } else { None };
        let (send_sms, reserve_sms) = if needs.sms {
            let missing = |cause| PhoneError::HostSms { cause, saved: false };
            let send_sms = callbacks.function(Callback::SendSms.name()).map_err(missing)?;
            let reserve_sms = callbacks.member(Callback::ReserveSms.name()).map_err(|cause| {
                PhoneError::HostStorage { callback: Callback::ReserveSms, cause }
            })?;
            (Some(send_sms), reserve_sms)
        } else {
            (None, None)
        };
        Ok(JsHost { callbacks, load_user, save_user, send_sms, reserve_sms, loaded: JsValue::NULL })
    }

    /// `host.loadUser(userId)`.
    pub(super) fn load(&self, user_id: &str) -> Called {
        self.callbacks.call(&self.load_user, &[&JsValue::from_str(user_id)])
    }

    /// What `loadUser` gave: the record, or `None` for `null`/`undefined`.
    pub(super) fn loaded(
        &mut self,
        settled: Settled,
        user_id: &str,
    ) -> Result<Option<UserRecord>, PhoneError> {
        let fail = |cause: String| PhoneError::storage(Callback::LoadUser, cause);
        let record =
            settled.map_err(|failure| self.callbacks.storage_error(Callback::LoadUser, failure))?;
        if record.is_null() || record.is_undefined() {
            return Ok(None);
        }
        if !record.is_object() || Array::is_array(&record) {
            return Err(fail("must return a record object or null".into()));
        }
        let json = convert::fields_to_json(&record, UserRecord::FIELD_LIST)
            .map_err(|cause| fail(format!("returned a record that is not JSON: {cause}")))?;
        let parsed = UserRecord::from_json(&json, user_id, Callback::LoadUser)?;
        self.loaded = record;
        Ok(Some(parsed))
    }

    /// `host.saveUser(record, expectedSequence, events)`, the record being the loaded one with
    /// the save's changes; an error when the loaded record cannot be copied.
    pub(super) fn save(&self, save: &Save) -> Result<Called, PhoneError> {
        let fail = |cause: String| PhoneError::storage(Callback::SaveUser, cause);
        let save_user = self
            .save_user
            .as_ref()
            .ok_or_else(|| fail("host.saveUser must be a function".into()))?;
        let changes = convert::to_js(&save.record.changes());
        let record = object_assign(&Object::new(), &self.loaded, &changes).map_err(|thrown| {
            PhoneError::storage(
                Callback::LoadUser,
                format!("returned a record that cannot be copied: {}", convert::describe(&thrown)),
            )
        })?;
        let expected = JsValue::from_f64(save.expected.value() as f64);
        Ok(self.callbacks.call(save_user, &[&record, &expected, &convert::to_js(&save.events)]))
    }

    /// What `saveUser` gave: whether the save won.
    pub(super) fn saved(&self, settled: Settled) -> Result<bool, PhoneError> {
        let stored =
            settled.map_err(|failure| self.callbacks.storage_error(Callback::SaveUser, failure))?;
        stored.as_bool().ok_or_else(|| {
            PhoneError::storage(
                Callback::SaveUser,
                "must return true (saved) or false (sequence changed)",
            )
        })
    }

    /// `host.reserveSms(reservation)`, or `None` for a host without the callback (nothing to
    /// ask: reserved).
    pub(super) fn reserve(&self, reservation: &Reservation) -> Option<Called> {
        let reserve_sms = self.reserve_sms.as_ref()?;
        Some(self.callbacks.call(reserve_sms, &[&convert::to_js(reservation)]))
    }

    /// What `reserveSms` gave: `true` (reserved) or `{retryAfterSeconds}` (the number is full).
    pub(super) fn reserved(&self, settled: Settled) -> Result<Option<u64>, PhoneError> {
        let returned = settled
            .map_err(|failure| self.callbacks.storage_error(Callback::ReserveSms, failure))?;
        if returned.as_bool() == Some(true) {
            return Ok(None);
        }
        let retry_after =
            convert::property(&returned, "retryAfterSeconds").ok().and_then(|v| v.as_f64());
        match retry_after {
            Some(seconds) if seconds.fract() == 0.0 && (1.0..=1e9).contains(&seconds) => {
                Ok(Some(seconds as u64))
            }
            _ => Err(PhoneError::storage(
                Callback::ReserveSms,
                "must return true (reserved) or {retryAfterSeconds: a whole number of seconds >= 1}",
            )),
        }
    }

    /// `host.sendSms(message)`; an error when the host has no `sendSms`.
    pub(super) fn send(&self, message: &SmsMessage) -> Result<Called, PhoneError> {
        let send_sms = self.send_sms.as_ref().ok_or_else(|| PhoneError::HostSms {
            cause: "host.sendSms must be a function".into(),
            saved: true,
        })?;
        Ok(self.callbacks.call(send_sms, &[&convert::to_js(message)]))
    }

    /// What `sendSms` gave: anything but a failure counts as sent.
    pub(super) fn sent(&self, settled: Settled) -> Result<(), PhoneError> {
        settled.map(|_| ()).map_err(|failure| {
            failure.into_error(Callback::SendSms, self.callbacks.timeout_ms, |cause| {
                PhoneError::HostSms { cause, saved: true }
            })
        })
    }
}

/// `host.authenticate(token)`, or the error when the host has no `authenticate`.
pub(super) fn authenticate(
    host: &JsValue,
    token: &str,
    timeout_ms: u32,
) -> Result<Called, PhoneError> {
    let fail = |cause: String| PhoneError::storage(Callback::Authenticate, cause);
    if !is_object(host) {
        return Err(fail("host must be an object with authenticate".into()));
    }
    let callbacks = Callbacks { this: host.clone(), timeout_ms };
    let function = callbacks.function(Callback::Authenticate.name()).map_err(fail)?;
    Ok(callbacks.call(&function, &[&JsValue::from_str(token)]))
}

/// What `authenticate` gave: the caller, or `None` for `null`/`undefined` (an unknown token).
pub(super) fn authenticated(
    settled: Settled,
    timeout_ms: u32,
) -> Result<Option<Caller>, PhoneError> {
    let caller = settled.map_err(|failure| {
        failure.into_error(Callback::Authenticate, timeout_ms, |cause| PhoneError::HostStorage {
            callback: Callback::Authenticate,
            cause,
        })
    })?;
    if caller.is_null() || caller.is_undefined() {
        return Ok(None);
    }
    let json = convert::to_json(&caller).map_err(|cause| {
        PhoneError::storage(
            Callback::Authenticate,
            format!("returned a caller that is not JSON: {cause}"),
        )
    })?;
    Caller::from_authenticate(&json).map(Some)
}
