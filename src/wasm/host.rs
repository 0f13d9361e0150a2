//! [`JsHost`]: the JS host object (`loadUser`, `saveUser`, `sendSms`, `authenticate`) as a
//! [`Host`].
//!
//! Members are read with a checked cast, since a user's object can hold anything; every call
//! passes the host as `this`, goes through `Promise.resolve` (so plain values and Promises
//! behave alike), races a `timeoutMs` timer, and is awaited. Whatever a callback throws,
//! rejects or returns becomes a `PhoneError` naming the callback.

use crate::engine::text::cat;
use crate::prelude::*;
use core::cell::RefCell;

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::convert;
use crate::driver::Host;
use crate::engine::auth::Caller;
use crate::engine::error::{AuthProblem, PhoneError};
use crate::engine::event::SmsMessage;
use crate::engine::record::UserRecord;
use crate::engine::{Needs, Save};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    fn promise_resolve(value: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = assign, catch)]
    fn object_assign(target: &Object, first: &JsValue, second: &JsValue)
        -> Result<Object, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, millis: f64, argument: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Why a callback gave no usable value.
enum Failure {
    /// It threw or rejected; the text says with what.
    Failed(String),
    /// Its Promise did not settle within the timeout.
    TimedOut,
}

/// A host object as the caller of its callbacks.
struct Callbacks {
    this: JsValue,
    timeout_ms: u32,
}

impl Callbacks {
    /// `host[name]` as a function.
    fn function(&self, name: &str) -> Result<Function, String> {
        let member = convert::property(&self.this, name)
            .map_err(|cause| cat!("reading host.", name, " threw ", cause))?;
        member.dyn_into::<Function>().map_err(|_| cat!("host.", name, " must be a function"))
    }

    /// Calls `function` with the host as `this` and awaits what it returns, for at most
    /// `timeout_ms`.
    async fn call(&self, function: &Function, args: &[&JsValue]) -> Result<JsValue, Failure> {
        let threw = |thrown: JsValue| Failure::Failed(cat!("threw ", convert::describe(&thrown)));
        let returned = match args {
            [a] => function.call1(&self.this, a),
            [a, b, c] => function.call3(&self.this, a, b, c),
            _ => function.call0(&self.this),
        }
        .map_err(threw)?;
        // A plain value (a synchronous host) needs no Promise, microtask or timer: only a
        // thenable is awaited. Reading `then` may run a getter, so it is guarded too.
        let then = if returned.is_object() || returned.is_function() {
            convert::property(&returned, "then")
                .map_err(|cause| Failure::Failed(cat!("threw ", cause)))?
        } else {
            JsValue::UNDEFINED
        };
        if !then.is_function() {
            return Ok(returned);
        }
        let promise = promise_resolve(&returned).map_err(threw)?;
        // The timer rejects with a marker object of its own, so a callback that rejects with
        // anything else is never mistaken for a timeout.
        let marker = JsValue::from(Object::new());
        let mut timer = JsValue::UNDEFINED;
        let timeout = Promise::new(&mut |_resolve, reject| {
            timer = set_timeout(&reject, f64::from(self.timeout_ms), &marker);
        });
        let settled = JsFuture::from(Promise::race(&Array::of2(&promise, &timeout))).await;
        clear_timeout(&timer);
        settled.map_err(|reason| {
            if Object::is(&reason, &marker) {
                Failure::TimedOut
            } else {
                Failure::Failed(cat!("rejected with ", convert::describe(&reason)))
            }
        })
    }

    fn storage_error(&self, callback: &'static str) -> impl Fn(Failure) -> PhoneError + '_ {
        move |failure| match failure {
            Failure::Failed(cause) => PhoneError::HostStorage { callback, cause },
            Failure::TimedOut => PhoneError::HostTimeout { callback, timeout_ms: self.timeout_ms },
        }
    }
}

fn is_object(host: &JsValue) -> bool {
    host.is_object() || host.is_function()
}

/// The host object and the callbacks a call needs.
pub struct JsHost {
    callbacks: Callbacks,
    load_user: Function,
    save_user: Option<Function>,
    send_sms: Option<Function>,
    /// The record as `loadUser` returned it: saves are merged into a copy of it, so that
    /// fields the library does not own are kept exactly.
    loaded: RefCell<JsValue>,
}

impl JsHost {
    /// Checks up front that the callbacks the call will use are functions, so that a missing
    /// `sendSms` is reported before anything is saved.
    pub fn new(host: &JsValue, needs: Needs, timeout_ms: u32) -> Result<JsHost, PhoneError> {
        if !is_object(host) {
            return Err(PhoneError::storage(
                "host",
                "must be an object with loadUser, saveUser and sendSms",
            ));
        }
        let callbacks = Callbacks { this: host.clone(), timeout_ms };
        let storage = |name: &'static str| {
            callbacks
                .function(name)
                .map_err(|cause| PhoneError::HostStorage { callback: name, cause })
        };
        let load_user = storage("loadUser")?;
        let save_user = if needs.save { Some(storage("saveUser")?) } else { None };
        let send_sms = if needs.sms {
            let missing = |cause| PhoneError::HostSms { cause, saved: false };
            Some(callbacks.function("sendSms").map_err(missing)?)
        } else {
            None
        };
        Ok(JsHost {
            callbacks,
            load_user,
            save_user,
            send_sms,
            loaded: RefCell::new(JsValue::NULL),
        })
    }
}

/// `host.authenticate(token)`: the caller, or Unauthenticated for `null`/`undefined`.
pub async fn authenticate(
    host: &JsValue,
    token: &str,
    timeout_ms: u32,
) -> Result<Caller, PhoneError> {
    let fail = |cause: String| PhoneError::storage("authenticate", cause);
    if !is_object(host) {
        return Err(fail("host must be an object with authenticate".into()));
    }
    let callbacks = Callbacks { this: host.clone(), timeout_ms };
    let function = callbacks.function("authenticate").map_err(fail)?;
    let caller = callbacks
        .call(&function, &[&JsValue::from_str(token)])
        .await
        .map_err(callbacks.storage_error("authenticate"))?;
    if caller.is_null() || caller.is_undefined() {
        return Err(PhoneError::Unauthenticated(AuthProblem::UnknownToken));
    }
    let json = convert::to_json(&caller)
        .map_err(|cause| fail(cat!("returned a caller that is not JSON: ", cause)))?;
    Caller::from_authenticate(&json)
}

impl Host for JsHost {
    async fn load_user(&self, user_id: &str) -> Result<Option<UserRecord>, PhoneError> {
        let fail = |cause: String| PhoneError::storage("loadUser", cause);
        let record = self
            .callbacks
            .call(&self.load_user, &[&JsValue::from_str(user_id)])
            .await
            .map_err(self.callbacks.storage_error("loadUser"))?;
        if record.is_null() || record.is_undefined() {
            return Ok(None);
        }
        if !record.is_object() || Array::is_array(&record) {
            return Err(fail("must return a record object or null".into()));
        }
        let json = convert::fields_to_json(&record, UserRecord::FIELD_LIST)
            .map_err(|cause| fail(cat!("returned a record that is not JSON: ", cause)))?;
        let parsed = UserRecord::from_json(&json, user_id, "loadUser")?;
        *self.loaded.borrow_mut() = record;
        Ok(Some(parsed))
    }

    async fn save_user(&self, save: &Save) -> Result<bool, PhoneError> {
        let fail = |cause: String| PhoneError::storage("saveUser", cause);
        let save_user = self
            .save_user
            .as_ref()
            .ok_or_else(|| fail("host.saveUser must be a function".into()))?;
        let changes = convert::to_js(&save.record.changes_to_json());
        let loaded = self.loaded.borrow().clone();
        let record = object_assign(&Object::new(), &loaded, &changes).map_err(|thrown| {
            PhoneError::storage(
                "loadUser",
                cat!("returned a record that cannot be copied: ", convert::describe(&thrown)),
            )
        })?;
        let events =
            crate::engine::json::Value::Array(save.events.iter().map(|e| e.to_json()).collect());
        let expected = JsValue::from_f64(save.expected.value() as f64);
        let stored = self
            .callbacks
            .call(save_user, &[&record, &expected, &convert::to_js(&events)])
            .await
            .map_err(self.callbacks.storage_error("saveUser"))?;
        stored
            .as_bool()
            .ok_or_else(|| fail("must return true (saved) or false (sequence changed)".into()))
    }

    async fn send_sms(&self, message: &SmsMessage) -> Result<(), PhoneError> {
        let send_sms = self.send_sms.as_ref().ok_or_else(|| PhoneError::HostSms {
            cause: "host.sendSms must be a function".into(),
            saved: true,
        })?;
        let timeout_ms = self.callbacks.timeout_ms;
        self.callbacks.call(send_sms, &[&convert::to_js(&message.to_json())]).await.map_err(
            |failure| match failure {
                Failure::Failed(cause) => PhoneError::HostSms { cause, saved: true },
                Failure::TimedOut => PhoneError::HostTimeout { callback: "sendSms", timeout_ms },
            },
        )?;
        Ok(())
    }
}
