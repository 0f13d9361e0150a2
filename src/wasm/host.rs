//! [`JsHost`]: the JS host object (`loadUser`, `saveUser`, `sendSms`) as a [`Host`].
//!
//! Members are read with a checked cast, since a user's object can hold anything; every call
//! passes the host as `this`, goes through `Promise.resolve` (so plain values and Promises
//! behave alike) and is awaited. Whatever a callback throws, rejects or returns becomes a
//! `PhoneError` naming the callback.

use std::cell::RefCell;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::convert;
use crate::driver::Host;
use crate::engine::auth::Caller;
use crate::engine::error::{AuthProblem, PhoneError};
use crate::engine::event::SmsMessage;
use crate::engine::record::UserRecord;
use crate::engine::Save;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    fn promise_resolve(value: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = assign, catch)]
    fn object_assign(target: &Object, first: &JsValue, second: &JsValue)
        -> Result<Object, JsValue>;
}

/// The host object and the callbacks a call needs.
pub struct JsHost {
    this: JsValue,
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
    pub fn new(host: &JsValue, writes: bool, sends_sms: bool) -> Result<JsHost, PhoneError> {
        if !host.is_object() && !host.is_function() {
            return Err(PhoneError::storage(
                "host",
                "must be an object with loadUser, saveUser and sendSms",
            ));
        }
        let storage = |name: &'static str| {
            callback(host, name).map_err(|cause| PhoneError::HostStorage { callback: name, cause })
        };
        let load_user = storage("loadUser")?;
        let save_user = if writes { Some(storage("saveUser")?) } else { None };
        let send_sms = if sends_sms {
            Some(callback(host, "sendSms").map_err(|cause| PhoneError::HostSms { cause })?)
        } else {
            None
        };
        Ok(JsHost {
            this: host.clone(),
            load_user,
            save_user,
            send_sms,
            loaded: RefCell::new(JsValue::NULL),
        })
    }

    /// Calls `function` with the host as `this` and awaits what it returns.
    async fn call(&self, function: &Function, args: &[&JsValue]) -> Result<JsValue, String> {
        call(&self.this, function, args).await
    }
}

/// `host.authenticate(token)`: the caller, or Unauthenticated for `null`/`undefined`.
pub async fn authenticate(host: &JsValue, token: &str) -> Result<Caller, PhoneError> {
    let fail = |cause: String| PhoneError::storage("authenticate", cause);
    if !host.is_object() && !host.is_function() {
        return Err(fail("host must be an object with authenticate".into()));
    }
    let function = callback(host, "authenticate").map_err(fail)?;
    let caller = call(host, &function, &[&JsValue::from_str(token)]).await.map_err(fail)?;
    if caller.is_null() || caller.is_undefined() {
        return Err(PhoneError::Unauthenticated(AuthProblem::UnknownToken));
    }
    let json = convert::to_json(&caller)
        .map_err(|cause| fail(format!("returned a caller that is not JSON: {cause}")))?;
    Caller::from_authenticate(&json)
}

/// Calls `function` with `this` and awaits what it returns, through `Promise.resolve` so that
/// plain values and Promises behave alike.
async fn call(this: &JsValue, function: &Function, args: &[&JsValue]) -> Result<JsValue, String> {
    let returned = match args {
        [a] => function.call1(this, a),
        [a, b, c] => function.call3(this, a, b, c),
        _ => function.call0(this),
    }
    .map_err(|thrown| format!("threw {}", convert::describe(&thrown)))?;
    let promise = promise_resolve(&returned)
        .map_err(|thrown| format!("threw {}", convert::describe(&thrown)))?;
    JsFuture::from(promise)
        .await
        .map_err(|reason| format!("rejected with {}", convert::describe(&reason)))
}

/// `host[name]` as a function.
fn callback(host: &JsValue, name: &str) -> Result<Function, String> {
    let member = convert::property(host, name)
        .map_err(|cause| format!("reading host.{name} threw {cause}"))?;
    member.dyn_into::<Function>().map_err(|_| format!("host.{name} must be a function"))
}

impl Host for JsHost {
    async fn load_user(&self, user_id: &str) -> Result<Option<UserRecord>, PhoneError> {
        let fail = |cause: String| PhoneError::storage("loadUser", cause);
        let record =
            self.call(&self.load_user, &[&JsValue::from_str(user_id)]).await.map_err(fail)?;
        if record.is_null() || record.is_undefined() {
            return Ok(None);
        }
        if !record.is_object() {
            return Err(fail("must return a record object or null".into()));
        }
        let json = convert::to_json(&record)
            .map_err(|cause| fail(format!("returned a record that is not JSON: {cause}")))?;
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
                format!("returned a record that cannot be copied: {}", convert::describe(&thrown)),
            )
        })?;
        let events = serde_json::Value::Array(save.events.iter().map(|e| e.to_json()).collect());
        let expected = JsValue::from_f64(save.expected.value() as f64);
        let stored = self
            .call(save_user, &[&record, &expected, &convert::to_js(&events)])
            .await
            .map_err(fail)?;
        stored
            .as_bool()
            .ok_or_else(|| fail("must return true (saved) or false (sequence changed)".into()))
    }

    async fn send_sms(&self, message: &SmsMessage) -> Result<(), PhoneError> {
        let fail = |cause: String| PhoneError::HostSms { cause };
        let send_sms =
            self.send_sms.as_ref().ok_or_else(|| fail("host.sendSms must be a function".into()))?;
        self.call(send_sms, &[&convert::to_js(&message.to_json())]).await.map_err(fail)?;
        Ok(())
    }
}
