//! Who is calling, and what they may do to a user.

use serde_json::Value;

use super::error::PhoneError;
use super::read::{self, Blame, Schema};
use super::record::UserRecord;

/// The authenticated caller (`options.caller`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Caller {
    /// The caller's own user id, if the caller is a user.
    pub user_id: Option<String>,
    /// Granted permissions: `user.write`, `user.write:<orgId>`, `user.read`, `user.read:<orgId>`.
    pub permissions: Vec<String>,
}

/// What a call needs from the caller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    /// The caller is the user, or holds `user.write` on the user's organisation.
    SelfOrWrite,
    /// `user.write` on the user's organisation, even for the user itself.
    Write,
    /// The caller is the user, or holds `user.read` or `user.write` on the organisation.
    SelfOrRead,
}

impl Caller {
    /// Parses `{userId?, permissions?}` from the options (`path` is `caller`).
    pub(crate) fn from_json(value: &Value, path: &str) -> Result<Caller, PhoneError> {
        Caller::read(value, path, Blame::Options)
    }

    /// Parses the caller that the host's `authenticate` callback returned.
    pub fn from_authenticate(value: &Value) -> Result<Caller, PhoneError> {
        Caller::read(value, "", Blame::Storage("authenticate"))
    }

    fn read(value: &Value, path: &str, blame: Blame) -> Result<Caller, PhoneError> {
        let schema = Schema {
            keys: [("userId", "user_id"), ("permissions", "permissions")],
            // An identity provider's principal may carry more (name, email): keep it usable.
            deny_unknown: matches!(blame, Blame::Options),
            hints: &[],
        };
        let [user_id, permissions] = schema.read(value, path, blame)?;
        let user_id = user_id
            .map(|v| read::string(v, &read::join(path, "userId"), blame, 1, 200))
            .transpose()?;
        let permissions = permissions
            .map(|v| read::strings(v, &read::join(path, "permissions"), blame, 300))
            .transpose()?
            .unwrap_or_default();
        Ok(Caller {
            user_id: user_id.map(str::to_owned),
            permissions: permissions.into_iter().map(str::to_owned).collect(),
        })
    }

    /// Allows the call or fails with PermissionDenied.
    pub fn require(&self, need: Need, user: &UserRecord) -> Result<(), PhoneError> {
        let is_self = self.user_id.as_deref() == Some(user.user_id.as_str());
        let org = user.resource_owner.as_str();
        let allowed = match need {
            Need::SelfOrWrite => is_self || self.holds("user.write", org),
            Need::Write => self.holds("user.write", org),
            Need::SelfOrRead => {
                is_self || self.holds("user.read", org) || self.holds("user.write", org)
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(PhoneError::PermissionDenied)
        }
    }

    /// Whether the caller holds `permission` for all organisations or for `org`.
    fn holds(&self, permission: &str, org: &str) -> bool {
        self.permissions.iter().any(|granted| match granted.strip_prefix(permission) {
            Some("") => true,
            Some(scoped) => scoped.strip_prefix(':') == Some(org),
            None => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> UserRecord {
        UserRecord::from_json(
            &json!({"userId": "u1", "resourceOwner": "org1", "sequence": 1}),
            "u1",
            "loadUser",
        )
        .unwrap()
    }

    fn caller(user_id: Option<&str>, permissions: &[&str]) -> Caller {
        Caller {
            user_id: user_id.map(str::to_owned),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn permission_table() {
        let cases: &[(Option<&str>, &[&str], Need, bool)] = &[
            (Some("u1"), &[], Need::SelfOrWrite, true),
            (Some("u1"), &[], Need::Write, false),
            (Some("u1"), &[], Need::SelfOrRead, true),
            (Some("u2"), &[], Need::SelfOrWrite, false),
            (Some("u2"), &["user.write"], Need::Write, true),
            (Some("u2"), &["user.write:org1"], Need::Write, true),
            (Some("u2"), &["user.write:org2"], Need::Write, false),
            (Some("u2"), &["user.write:org1x"], Need::Write, false),
            (Some("u2"), &["user.writer"], Need::Write, false),
            (Some("u2"), &["user.read"], Need::SelfOrWrite, false),
            (Some("u2"), &["user.read:org1"], Need::SelfOrRead, true),
            (Some("u2"), &["user.write:org1"], Need::SelfOrRead, true),
            (None, &["user.write"], Need::SelfOrWrite, true),
            (None, &[], Need::SelfOrRead, false),
        ];
        for &(id, perms, need, allowed) in cases {
            let result = caller(id, perms).require(need, &user());
            assert_eq!(result.is_ok(), allowed, "{id:?} {perms:?} {need:?}");
            if !allowed {
                assert_eq!(result, Err(PhoneError::PermissionDenied));
            }
        }
    }

    #[test]
    fn parses_the_caller_option() {
        let c = Caller::from_json(&json!({"userId": "u1", "permissions": ["user.read"]}), "caller")
            .unwrap();
        assert_eq!(c, caller(Some("u1"), &["user.read"]));
        assert_eq!(Caller::from_json(&json!({}), "caller").unwrap(), Caller::default());
        let err = Caller::from_json(&json!({"permissions": "user.write"}), "caller").unwrap_err();
        assert_eq!(err.id(), "CONFIG-invalid");
        assert!(err.message().contains("caller.permissions"), "{}", err.message());
    }
}
