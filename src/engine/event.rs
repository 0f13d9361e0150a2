//! What a call did ([`PhoneEvent`], for the audit trail) and what the host must do next
//! ([`Effect`]).

use core::fmt;

use serde::{Serialize, Serializer};

use super::record::Sequence;
use super::time::Timestamp;

/// One audit event; each takes one sequence step.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PhoneEvent {
    /// What happened.
    pub kind: EventKind,
    /// The user's sequence after this event.
    pub sequence: Sequence,
    /// When it happened.
    pub created_at: Timestamp,
}

/// The kinds of event, named as ZITADEL's event types.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum EventKind {
    /// `user.human.phone.changed`: a new number.
    PhoneChanged {
        /// The new E.164 number.
        number: String,
    },
    /// `user.human.phone.code.added`: a new code replaced any earlier one. Never the code.
    CodeAdded {
        /// When the code expires.
        expires_at: Timestamp,
        /// Whether the code went back to the caller instead of out by SMS.
        code_returned: bool,
    },
    /// `user.human.phone.verified`.
    PhoneVerified,
    /// `user.human.phone.verification.failed`: a wrong code was tried.
    VerificationFailed,
    /// `user.human.phone.removed`.
    PhoneRemoved,
}

impl PhoneEvent {
    /// ZITADEL's event type, e.g. `user.human.phone.changed`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            EventKind::PhoneChanged { .. } => "user.human.phone.changed",
            EventKind::CodeAdded { .. } => "user.human.phone.code.added",
            EventKind::PhoneVerified => "user.human.phone.verified",
            EventKind::VerificationFailed => "user.human.phone.verification.failed",
            EventKind::PhoneRemoved => "user.human.phone.removed",
        }
    }
}

/// `{type, sequence, createdAt, payload}` as handed to `saveUser`.
impl Serialize for PhoneEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Event<'a> {
            #[serde(rename = "type")]
            type_name: &'static str,
            sequence: Sequence,
            created_at: Timestamp,
            payload: Payload<'a>,
        }
        #[derive(Serialize)]
        #[serde(untagged, rename_all_fields = "camelCase")]
        enum Payload<'a> {
            Changed { phone: &'a str },
            CodeAdded { expires_at: Timestamp, code_returned: bool },
            Empty {},
        }
        let payload = match &self.kind {
            EventKind::PhoneChanged { number } => Payload::Changed { phone: number },
            EventKind::CodeAdded { expires_at, code_returned } => {
                Payload::CodeAdded { expires_at: *expires_at, code_returned: *code_returned }
            }
            EventKind::PhoneVerified | EventKind::VerificationFailed | EventKind::PhoneRemoved => {
                Payload::Empty {}
            }
        };
        let event = Event {
            type_name: self.type_name(),
            sequence: self.sequence,
            created_at: self.created_at,
            payload,
        };
        event.serialize(serializer)
    }
}

/// Work for the host after a successful save.
#[derive(Clone, PartialEq, Eq, Debug)]
#[must_use]
pub enum Effect {
    /// Send this SMS (`sendSms`).
    SendSms(SmsMessage),
}

/// An SMS carrying a code, handed to `sendSms` as `{to, code, text, userId, resourceOwner,
/// expiresAt}`. `Debug` hides the code and the text.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsMessage {
    /// E.164 recipient.
    pub to: String,
    /// The code in clear.
    pub code: String,
    /// The text to send, from `smsTemplate`.
    pub text: String,
    /// The user the code is for.
    pub user_id: String,
    /// The user's organisation.
    pub resource_owner: String,
    /// When the code expires.
    pub expires_at: Timestamp,
}

impl fmt::Debug for SmsMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsMessage")
            .field("to", &self.to)
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_serialise_with_type_sequence_and_payload() {
        let at = Timestamp::from_millis(0).unwrap();
        let event = PhoneEvent {
            kind: EventKind::CodeAdded { expires_at: at.plus_seconds(3600), code_returned: true },
            sequence: Sequence::new(7).unwrap(),
            created_at: at,
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({"type": "user.human.phone.code.added", "sequence": 7,
                   "createdAt": "1970-01-01T00:00:00.000Z",
                   "payload": {"expiresAt": "1970-01-01T01:00:00.000Z", "codeReturned": true}})
        );
    }

    #[test]
    fn sms_debug_hides_the_code() {
        let sms = SmsMessage {
            to: "+41711234567".into(),
            code: "SECRET".into(),
            text: "Your code is SECRET".into(),
            user_id: "u1".into(),
            resource_owner: "o".into(),
            expires_at: Timestamp::from_millis(0).unwrap(),
        };
        assert!(!format!("{sms:?}").contains("SECRET"));
        assert_eq!(serde_json::to_value(&sms).unwrap()["code"], "SECRET");
    }
}
