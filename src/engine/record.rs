//! The stored user record ⇄ typed state. The host owns storage; the engine reads the fields it
//! needs and writes back only `sequence`, `changeDate` and `phone` (the bindings keep every
//! other field exactly as the host stored it).

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::code::CodeHash;
use super::error::{Callback, PhoneError};
use super::limits::SmsSent;
use super::read::{read, Blame, Flag, Int, List, Listed, Name, Named, Text};
use super::time::Timestamp;

/// Largest sequence: JS numbers are exact up to 2^53 - 1.
pub const MAX_SEQUENCE: u64 = (1 << 53) - 1;

/// A user's change counter: one step per event; the compare-and-swap key. Serialised as a
/// number in records and events (replies write it as a string, as protobuf JSON does uint64).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize)]
#[serde(transparent)]
pub struct Sequence(u64);

impl Sequence {
    /// A sequence up to [`MAX_SEQUENCE`].
    pub fn new(value: u64) -> Option<Sequence> {
        (value <= MAX_SEQUENCE).then_some(Sequence(value))
    }

    /// The number.
    pub fn value(self) -> u64 {
        self.0
    }

    /// The next step, or `None` past [`MAX_SEQUENCE`].
    pub fn next(self) -> Option<Sequence> {
        Sequence::new(self.0.checked_add(1)?)
    }
}

/// Human users have phones; machine users do not (ZITADEL answers NotFound for them).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    /// A person.
    Human,
    /// A service account.
    Machine,
}

/// The user's lifecycle state.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserState {
    /// Usable.
    Active,
    /// Created but not yet initialised: phone changes wait (FailedPrecondition).
    Initial,
    /// Deactivated; still manageable by admins.
    Inactive,
    /// Locked; still manageable by admins.
    Locked,
    /// Deleted: treated as not found.
    Deleted,
}

/// A code waiting to be verified; only its keyed hash is stored.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingCode {
    /// HMAC of the code, bound to the user and the number.
    pub hash: CodeHash,
    /// When the code was issued (the resend cooldown counts from here).
    pub created_at: Timestamp,
    /// When the code stops being accepted.
    pub expires_at: Timestamp,
    /// Wrong tries so far; at `maxAttempts` the code is locked.
    pub failed_attempts: u32,
}

/// The user's contact phone.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PhoneState {
    /// No phone.
    Absent,
    /// A phone not yet verified, with the pending code if one was issued.
    Unverified {
        /// E.164 number.
        number: String,
        /// The code to verify it with.
        code: Option<PendingCode>,
    },
    /// A verified phone; it never has a pending code.
    Verified {
        /// E.164 number.
        number: String,
    },
}

impl PhoneState {
    /// The number, if there is a phone.
    pub fn number(&self) -> Option<&str> {
        match self {
            PhoneState::Absent => None,
            PhoneState::Unverified { number, .. } | PhoneState::Verified { number } => Some(number),
        }
    }
}

/// The part of the stored user record the library reads.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UserRecord {
    /// The user's id.
    pub user_id: String,
    /// The user's organisation (the scope of `user.write:<orgId>`).
    pub resource_owner: String,
    /// The change counter.
    pub sequence: Sequence,
    /// When the user last changed, if known.
    pub change_date: Option<Timestamp>,
    /// Human or machine.
    pub kind: UserKind,
    /// Lifecycle state.
    pub state: UserState,
    /// The contact phone.
    pub phone: PhoneState,
    /// Recent SMS sent for the user (`smsLog`), for the send limits; kept when the phone is
    /// removed, so that removing and re-adding it does not reset them.
    pub sms_log: Vec<SmsSent>,
}

impl UserRecord {
    /// The record fields the library reads; all others are the host's and never read.
    pub const FIELDS: [&'static str; 8] =
        ["userId", "resourceOwner", "sequence", "changeDate", "kind", "state", "phone", "smsLog"];
    /// [`FIELDS`](Self::FIELDS) comma-separated, as the bindings pass them to JS in one string
    /// (a test keeps the two equal).
    pub const FIELD_LIST: &'static str =
        "userId,resourceOwner,sequence,changeDate,kind,state,phone,smsLog";

    /// Reads a record returned by the storage callback `callback` for `user_id`; a record of
    /// another user or of the wrong shape is a storage error naming the field.
    pub fn from_json(
        value: &Value,
        user_id: &str,
        callback: Callback,
    ) -> Result<UserRecord, PhoneError> {
        let stored: StoredRecord = read(value, "", Blame::Storage(callback), &[])?;
        if stored.user_id.0 != user_id {
            return Err(PhoneError::storage(callback, "returned the record of another user"));
        }
        let phone = match stored.phone {
            None => PhoneState::Absent,
            // A verified phone has no pending code; a stray one is dropped on the next save.
            Some(StoredPhone { number, is_verified: Some(Flag(true)), .. }) => {
                PhoneState::Verified { number: number.0 }
            }
            Some(StoredPhone { number, code, .. }) => PhoneState::Unverified {
                number: number.0,
                code: code.map(|code| PendingCode {
                    hash: code.hash.0,
                    created_at: code.created_at.0,
                    expires_at: code.expires_at.0,
                    failed_attempts: code.failed_attempts.map_or(0, |Int(n)| n as u32),
                }),
            },
        };
        Ok(UserRecord {
            user_id: stored.user_id.0,
            resource_owner: stored.resource_owner.0,
            sequence: Sequence(stored.sequence.0),
            change_date: stored.change_date.map(|Named(at)| at),
            kind: stored.kind.map_or(UserKind::Human, |Named(kind)| kind),
            state: stored.state.map_or(UserState::Active, |Named(state)| state),
            phone,
            sms_log: stored.sms_log.map_or_else(Vec::new, |List(log)| {
                log.into_iter().map(|sent| SmsSent { to: sent.to.0, at: sent.at.0 }).collect()
            }),
        })
    }

    /// The fields the library writes: `{sequence, changeDate, phone, smsLog}`. The bindings
    /// merge them into the record as loaded, so fields the library does not own stay as they
    /// were.
    pub fn changes(&self) -> RecordChanges<'_> {
        RecordChanges {
            sequence: self.sequence,
            change_date: self.change_date,
            phone: &self.phone,
            sms_log: &self.sms_log,
        }
    }
}

/// The whole record (for hosts that keep typed records, such as the tests').
impl Serialize for UserRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Whole<'a> {
            user_id: &'a str,
            resource_owner: &'a str,
            kind: UserKind,
            state: UserState,
            #[serde(flatten)]
            changes: RecordChanges<'a>,
        }
        Whole {
            user_id: &self.user_id,
            resource_owner: &self.resource_owner,
            kind: self.kind,
            state: self.state,
            changes: self.changes(),
        }
        .serialize(serializer)
    }
}

/// The fields of a record that the library writes, as `saveUser` receives them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordChanges<'a> {
    sequence: Sequence,
    change_date: Option<Timestamp>,
    phone: &'a PhoneState,
    sms_log: &'a [SmsSent],
}

/// `null`, or `{number, isVerified, code}` with the pending code or `null`.
impl Serialize for PhoneState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Stored<'a> {
            number: &'a str,
            is_verified: bool,
            code: Option<&'a PendingCode>,
        }
        let stored = match self {
            PhoneState::Absent => None,
            PhoneState::Verified { number } => {
                Some(Stored { number, is_verified: true, code: None })
            }
            PhoneState::Unverified { number, code } => {
                Some(Stored { number, is_verified: false, code: code.as_ref() })
            }
        };
        stored.serialize(serializer)
    }
}

/// A record as a storage callback returns it: the keys the library owns (others are the
/// host's and never read).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an object")]
struct StoredRecord {
    user_id: Text<1, 200>,
    resource_owner: Text<1, 200>,
    sequence: Int<0, MAX_SEQUENCE>,
    change_date: Option<Named<Timestamp>>,
    kind: Option<Named<UserKind>>,
    state: Option<Named<UserState>>,
    phone: Option<StoredPhone>,
    sms_log: Option<List<StoredSms>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an object")]
struct StoredPhone {
    number: Text<1, 32>,
    is_verified: Option<Flag>,
    code: Option<StoredCode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an object")]
struct StoredCode {
    hash: Named<CodeHash>,
    created_at: Named<Timestamp>,
    expires_at: Named<Timestamp>,
    failed_attempts: Option<Int<0, { u32::MAX as u64 }>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an object")]
struct StoredSms {
    to: Text<1, 32>,
    at: Named<Timestamp>,
}

impl Listed for StoredSms {
    const LIST: &'static str = "an array";
}

impl Name for UserKind {
    const EXPECTED: &'static str = "\"human\" or \"machine\"";
    const LIST: &'static str = "an array of user kinds";
    fn from_name(name: &str) -> Option<UserKind> {
        match name {
            "human" => Some(UserKind::Human),
            "machine" => Some(UserKind::Machine),
            _ => None,
        }
    }
}

impl Name for UserState {
    const EXPECTED: &'static str = "active, initial, inactive, locked or deleted";
    const LIST: &'static str = "an array of user states";
    fn from_name(name: &str) -> Option<UserState> {
        match name {
            "active" => Some(UserState::Active),
            "initial" => Some(UserState::Initial),
            "inactive" => Some(UserState::Inactive),
            "locked" => Some(UserState::Locked),
            "deleted" => Some(UserState::Deleted),
            _ => None,
        }
    }
}

impl Name for Timestamp {
    const EXPECTED: &'static str = "an RFC 3339 date string";
    const LIST: &'static str = "an array of RFC 3339 date strings";
    fn from_name(name: &str) -> Option<Timestamp> {
        Timestamp::parse(name)
    }
}

impl Name for CodeHash {
    const EXPECTED: &'static str = "64 hex digits";
    const LIST: &'static str = "an array of code hashes";
    fn from_name(name: &str) -> Option<CodeHash> {
        CodeHash::from_hex(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(value: Value) -> Result<UserRecord, PhoneError> {
        UserRecord::from_json(&value, "u1", Callback::LoadUser)
    }

    #[test]
    fn reads_a_minimal_record_with_defaults() {
        let r = load(json!({"userId": "u1", "resourceOwner": "o", "sequence": 3, "extra": [1]}))
            .unwrap();
        assert_eq!(r.sequence, Sequence(3));
        assert_eq!(
            (r.kind, r.state, r.phone, r.change_date),
            (UserKind::Human, UserState::Active, PhoneState::Absent, None)
        );
    }

    #[test]
    fn round_trips_a_pending_code() {
        let value = json!({
            "userId": "u1", "resourceOwner": "o", "sequence": 9, "changeDate": "2026-11-28T12:00:00.000Z",
            "kind": "human", "state": "locked",
            "phone": {"number": "+41711234567", "isVerified": false, "code": {
                "hash": "ab".repeat(32), "createdAt": "2026-11-28T12:00:00.000Z",
                "expiresAt": "2026-11-28T13:00:00.000Z", "failedAttempts": 2}},
            "smsLog": [{"to": "+41711234567", "at": "2026-11-28T12:00:00.000Z"}],
        });
        let r = load(value.clone()).unwrap();
        assert_eq!(r.state, UserState::Locked);
        assert_eq!(serde_json::to_value(&r).unwrap(), value);
    }

    #[test]
    fn rejects_wrong_shapes_naming_the_field() {
        let cases = [
            (json!([]), "value must be an object"),
            (json!({"resourceOwner": "o", "sequence": 1}), "userId is required"),
            (
                json!({"userId": "u2", "resourceOwner": "o", "sequence": 1}),
                "the record of another user",
            ),
            (
                json!({"userId": "u1", "resourceOwner": "o", "sequence": -1}),
                "sequence must be an integer",
            ),
            (
                json!({"userId": "u1", "resourceOwner": "o", "sequence": 9007199254740992u64}),
                "sequence must be an integer",
            ),
            (
                json!({"userId": "u1", "resourceOwner": "o", "sequence": "1"}),
                "sequence must be a number",
            ),
            (
                json!({"userId": "u1", "resourceOwner": 7, "sequence": 1}),
                "resourceOwner must be a string",
            ),
            (
                json!({"userId": "u1", "resourceOwner": "o", "sequence": 1, "kind": "robot"}),
                "kind must be",
            ),
            (
                json!({"userId": "u1", "resourceOwner": "o", "sequence": 1, "changeDate": "yesterday"}),
                "changeDate must be an RFC 3339",
            ),
            (
                json!({"userId": "u1", "resourceOwner": "o", "sequence": 1, "phone": {"isVerified": true}}),
                "phone.number is required",
            ),
            (
                json!({"userId": "u1", "resourceOwner": "o", "sequence": 1, "phone": {"number": "+1", "code": {"hash": "x"}}}),
                "phone.code.hash must be 64 hex digits",
            ),
        ];
        for (value, fragment) in cases {
            let err = load(value).unwrap_err();
            assert_eq!(err.id(), "HOST-storage");
            assert!(err.message().contains(fragment), "{} lacks {fragment}", err.message());
            assert!(err.message().contains("loadUser"), "{}", err.message());
        }
    }

    #[test]
    fn the_field_list_is_the_fields() {
        assert_eq!(UserRecord::FIELD_LIST, UserRecord::FIELDS.join(","));
    }

    #[test]
    fn sequence_stops_at_the_largest_safe_integer() {
        assert_eq!(Sequence::new(MAX_SEQUENCE).and_then(Sequence::next), None);
        assert_eq!(Sequence(1).next(), Some(Sequence(2)));
    }
}
