//! HTTP routing and status decisions (SPEC §6): request `{method, path, headers, body}` in,
//! the call to make and the bearer token out; a reply or an error in, `{status, headers, body}`
//! out. Every host (a worker, a Node server, a test) answers HTTP the same way.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::read::{read, Blame, Flag, Text};
use crate::engine::reply::{Reply, ResourceReply};
use crate::engine::request::{GetPhone, RemovePhone, ResendCode, SetPhone, VerifyPhone};
use crate::engine::{Erased, Operation, Shape, AS_IS};

/// Largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A call of SPEC §6, parsed from its route and body.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum HttpCall {
    /// `PUT /v3alpha/users/:userId/phone`.
    Set(SetPhone),
    /// `POST /v3alpha/users/:userId/phone/verify`.
    Verify(VerifyPhone),
    /// `POST /v3alpha/users/:userId/phone/resend`.
    Resend(ResendCode),
    /// `DELETE /v3alpha/users/:userId/phone`.
    Remove(RemovePhone),
    /// `GET /v3alpha/users/:userId/phone`.
    Get(GetPhone),
}

impl HttpCall {
    /// The call as an operation with any call's [`Reply`], in `shape`.
    pub fn into_operation(self, shape: Shape) -> Box<dyn Operation<Reply = Reply>> {
        match self {
            HttpCall::Set(call) => Box::new(Erased(call, shape)),
            HttpCall::Verify(call) => Box::new(Erased(call, shape)),
            HttpCall::Resend(call) => Box::new(Erased(call, shape)),
            HttpCall::Remove(call) => Box::new(Erased(call, shape)),
            HttpCall::Get(call) => Box::new(Erased(call, shape)),
        }
    }
}

/// The reply of ZITADEL's v3alpha resource routes ([`ResourceReply`]).
fn as_resource(user_id: &str, reply: Reply) -> Reply {
    Reply::Resource(ResourceReply::of(user_id, reply))
}

/// A routed request: the call and the caller's bearer token, if any.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpRequest {
    /// What to do.
    pub call: HttpCall,
    /// The token of `Authorization: Bearer <token>`; authenticating it is the host's job.
    pub token: Option<String>,
    /// Whether it came on ZITADEL's v3alpha resource routes, which reply in their own shape.
    pub resource: bool,
}

impl HttpRequest {
    /// The call as an operation whose reply has its route's shape, and the token.
    pub fn into_parts(self) -> (Box<dyn Operation<Reply = Reply>>, Option<String>) {
        let shape = if self.resource { as_resource } else { AS_IS };
        (self.call.into_operation(shape), self.token)
    }
}

/// What `handleHttp` takes; other keys are ignored.
#[derive(Deserialize)]
#[serde(expecting = "an object")]
struct RequestParts {
    method: Text<1, 16>,
    path: Text<1, 8192>,
    headers: Option<Value>,
    body: Option<Text<0, { usize::MAX }>>,
    /// Set by an adapter whose body bytes were not UTF-8, so there is no text to pass.
    #[serde(rename = "bodyNotUtf8", alias = "body_not_utf8")]
    body_not_utf8: Option<Flag>,
}

/// The routed resources, and the methods each accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Resource {
    /// `/v3alpha/users/:userId/phone`: GET, PUT (SPEC's body), DELETE.
    Phone,
    /// `/v2/users/:userId/phone` (ZITADEL's REST gateway): POST (v2 body), DELETE.
    V2Phone,
    /// `…/phone/verify`, v3alpha and v2: POST.
    Verify,
    /// `…/phone/resend`, v3alpha and v2: POST.
    Resend,
    /// `/resources/v3alpha/users/:id/phone` (ZITADEL's resource API): PUT, the body a SetPhone.
    ResourcePhone,
    /// `…/phone/_verify` and `…/phone/_resend` of the resource API: POST.
    ResourceVerify,
    ResourceResend,
}

impl Resource {
    fn allow(self) -> &'static str {
        match self {
            Resource::Phone => "GET, PUT, DELETE",
            Resource::V2Phone => "POST, DELETE",
            Resource::ResourcePhone => "PUT",
            Resource::Verify
            | Resource::Resend
            | Resource::ResourceVerify
            | Resource::ResourceResend => "POST",
        }
    }

    fn allows(self, method: &str) -> bool {
        matches!(
            (self, method),
            (Resource::Phone, "GET" | "PUT" | "DELETE")
                | (Resource::V2Phone, "POST" | "DELETE")
                | (Resource::ResourcePhone, "PUT")
                | (
                    Resource::Verify
                        | Resource::Resend
                        | Resource::ResourceVerify
                        | Resource::ResourceResend,
                    "POST"
                )
        )
    }
}

/// Routes `{method, path, headers, body}`: 404 for an unknown path, 405 for a known path
/// under another method, 413 for a body (or a `Content-Length`) over [`MAX_BODY_BYTES`], 400
/// for bytes that were not UTF-8, 415 for a body that is not declared as JSON, 400 for bad
/// JSON (saying where) or a malformed request. The token is
/// returned unchecked; a missing one is the caller's 401 to give after these checks.
pub fn parse_request(request: &Value) -> Result<HttpRequest, PhoneError> {
    let parts: RequestParts = read(request, "request", Blame::Request, &[])?;
    let headers = match &parts.headers {
        None | Some(Value::Null) => None,
        Some(Value::Object(headers)) => Some(headers),
        Some(_) => {
            let expected = "an object".into();
            return Err(PhoneError::field("request.headers", FieldProblem::WrongType { expected }));
        }
    };
    let (method, path) = (parts.method.0, parts.path.0);
    let body = parts.body.as_ref().map_or("", |body| body.0.as_str());

    let (resource, user_id) = route(&path)?;
    let method = method.to_ascii_uppercase();
    if !resource.allows(&method) {
        return Err(PhoneError::MethodNotAllowed { allow: resource.allow() });
    }
    // A declared length over the limit is refused unread, as a body over it would be.
    let declared = header(headers, "content-length").and_then(|n| n.trim().parse::<u64>().ok());
    if body.len() > MAX_BODY_BYTES || declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(PhoneError::PayloadTooLarge { limit: MAX_BODY_BYTES });
    }
    if parts.body_not_utf8 == Some(Flag(true)) {
        return Err(PhoneError::field("body", FieldProblem::Invalid("is not UTF-8 text".into())));
    }
    let has_body = matches!(method.as_str(), "PUT" | "POST") && !body.trim().is_empty();
    if has_body && !is_json(header(headers, "content-type")) {
        return Err(PhoneError::UnsupportedMediaType);
    }
    let json_body = if has_body {
        serde_json::from_str(body)
            .map_err(|e| PhoneError::field("body", FieldProblem::NotJson(e.to_string())))?
    } else {
        Value::Null
    };
    let user_id = Value::String(user_id);
    let call = match (resource, method.as_str()) {
        (Resource::Phone, "PUT") => HttpCall::Set(SetPhone::parse(&user_id, &json_body)?),
        (Resource::Phone, "GET") => HttpCall::Get(GetPhone::parse(&user_id)?),
        (Resource::V2Phone, "POST") => HttpCall::Set(SetPhone::parse_v2(&user_id, &json_body)?),
        (Resource::ResourcePhone, _) => {
            // The body is the request's `phone` field, as ZITADEL's gateway maps it.
            let mut request = Map::new();
            request.insert("phone".to_owned(), json_body);
            let request = Value::Object(request);
            HttpCall::Set(SetPhone::parse(&user_id, &request)?)
        }
        (Resource::Phone | Resource::V2Phone, _) => HttpCall::Remove(RemovePhone::parse(&user_id)?),
        (Resource::Verify | Resource::ResourceVerify, _) => {
            HttpCall::Verify(VerifyPhone::parse(&user_id, &json_body)?)
        }
        (Resource::Resend | Resource::ResourceResend, _) => {
            HttpCall::Resend(ResendCode::parse(&user_id, &json_body)?)
        }
    };
    let resource = matches!(
        resource,
        Resource::ResourcePhone | Resource::ResourceVerify | Resource::ResourceResend
    );
    let token = header(headers, "authorization").and_then(bearer).map(str::to_owned);
    Ok(HttpRequest { call, token, resource })
}

/// `/v3alpha/users/:userId/phone[/verify|/resend]`, ZITADEL's REST gateway's
/// `/v2/users/:userId/phone[/verify|/resend]` and its resource API's
/// `/resources/v3alpha/users/:id/phone[/_verify|/_resend]`, with the user id percent-decoded;
/// the query string is ignored.
fn route(path: &str) -> Result<(Resource, String), PhoneError> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    let (user_id, resource) = match segments.as_slice() {
        ["", "v3alpha", "users", user_id, "phone"] => (user_id, Resource::Phone),
        ["", "v2", "users", user_id, "phone"] => (user_id, Resource::V2Phone),
        ["", "v3alpha" | "v2", "users", user_id, "phone", "verify"] => (user_id, Resource::Verify),
        ["", "v3alpha" | "v2", "users", user_id, "phone", "resend"] => (user_id, Resource::Resend),
        ["", "resources", "v3alpha", "users", user_id, "phone"] => {
            (user_id, Resource::ResourcePhone)
        }
        ["", "resources", "v3alpha", "users", user_id, "phone", "_verify"] => {
            (user_id, Resource::ResourceVerify)
        }
        ["", "resources", "v3alpha", "users", user_id, "phone", "_resend"] => {
            (user_id, Resource::ResourceResend)
        }
        _ => return Err(PhoneError::RouteNotFound),
    };
    let user_id = percent_decode(user_id).ok_or_else(|| {
        let why = "is not valid percent-encoded UTF-8";
        PhoneError::field("userId", FieldProblem::Invalid(why.into()))
    })?;
    Ok((resource, user_id))
}

fn percent_decode(text: &str) -> Option<String> {
    // Digits only: `u8::from_str_radix` would also take a sign (`%+f`).
    let digit = |d: Option<&u8>| char::from(*d?).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            out.push((digit(bytes.get(i + 1))? << 4 | digit(bytes.get(i + 2))?) as u8);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A header's value, by case-insensitive name.
fn header<'a>(headers: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a str> {
    headers?.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str())
}

/// `application/json` or `application/<something>+json`, with any parameters.
fn is_json(content_type: Option<&str>) -> bool {
    let Some(media_type) = content_type.and_then(|c| c.split(';').next()) else {
        return false;
    };
    let media_type = media_type.trim().to_ascii_lowercase();
    media_type == "application/json"
        || media_type.strip_prefix("application/").is_some_and(|sub| sub.ends_with("+json"))
}

/// The token of `Bearer <token>` (scheme case-insensitive).
fn bearer(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// An HTTP response: status, headers, JSON body text; serialises as `{status, headers: {name:
/// value}, body}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values.
    #[serde(serialize_with = "as_object")]
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: String,
    /// For the server's log: the full message of an error whose body leaves out its cause (a
    /// host failure), e.g. `Host callback saveUser failed: threw Error: disk full`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
}

impl HttpResponse {
    /// 200 with the reply.
    pub fn ok(reply: &Reply) -> HttpResponse {
        HttpResponse { status: 200, headers: base_headers(), body: json_text(reply), log: None }
    }

    /// The error's status and gRPC-style body, with `Allow` (405), `WWW-Authenticate` (401)
    /// or `Retry-After` (429) where HTTP expects them; a host failure's cause goes to `log`,
    /// not to the client.
    pub fn error(error: &PhoneError) -> HttpResponse {
        let mut headers = base_headers();
        match error {
            PhoneError::MethodNotAllowed { allow } => headers.push(("allow", (*allow).to_owned())),
            PhoneError::Unauthenticated(_) => {
                headers.push(("www-authenticate", "Bearer".to_owned()))
            }
            PhoneError::Throttled { retry_after_seconds }
            | PhoneError::RateLimited { retry_after_seconds } => {
                headers.push(("retry-after", retry_after_seconds.to_string()));
            }
            _ => {}
        }
        let (body, log) = error.for_client();
        HttpResponse { status: error.http_status(), headers, body: json_text(&body), log }
    }
}

/// The JSON text of a reply or an error body.
fn json_text(value: &impl Serialize) -> String {
    // Replies and error bodies are strings, numbers and booleans in structs, which serde_json
    // always writes.
    serde_json::to_string(value).unwrap_or_default()
}

fn as_object<S: Serializer>(
    headers: &[(&'static str, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(headers.len()))?;
    for (name, value) in headers {
        map.serialize_entry(name, value)?;
    }
    map.end()
}

/// JSON, and never cached: replies can carry verification codes.
fn base_headers() -> Vec<(&'static str, String)> {
    vec![("content-type", "application/json".to_owned()), ("cache-control", "no-store".to_owned())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::reply::{Details, DetailsReply};
    use crate::engine::request::{Delivery, VerificationMode};
    use serde_json::json;

    fn request(method: &str, path: &str, content_type: Option<&str>, body: Option<&str>) -> Value {
        let mut headers = json!({"Authorization": "Bearer tok-1"});
        if let Some(ct) = content_type {
            headers["Content-Type"] = json!(ct);
        }
        json!({"method": method, "path": path, "headers": headers, "body": body})
    }

    fn err(value: Value) -> (u16, &'static str, String) {
        let e = parse_request(&value).unwrap_err();
        (e.http_status(), e.id(), e.message())
    }

    #[test]
    fn routes_the_five_calls() {
        let json_type = Some("application/json; charset=utf-8");
        let set = parse_request(&request(
            "PUT",
            "/v3alpha/users/u%201/phone?x=1",
            json_type,
            Some(r#"{"phone":{"number":"+41 71 123 45 67","returnCode":{}}}"#),
        ))
        .unwrap();
        assert_eq!(set.token.as_deref(), Some("tok-1"));
        let HttpCall::Set(call) = set.call else { panic!("not a set: {set:?}") };
        assert_eq!((call.user_id.as_str(), call.mode), ("u 1", VerificationMode::ReturnCode));
        let verify = parse_request(&request(
            "post",
            "/v3alpha/users/u1/phone/verify",
            Some("application/json"),
            Some(r#"{"verificationCode":"ABC"}"#),
        ))
        .unwrap();
        assert!(matches!(verify.call, HttpCall::Verify(v) if v.code == "ABC"));
        let resend =
            parse_request(&request("POST", "/v3alpha/users/u1/phone/resend", None, None)).unwrap();
        assert!(matches!(resend.call, HttpCall::Resend(r) if r.delivery == Delivery::Send));
        let remove =
            parse_request(&request("DELETE", "/v3alpha/users/u1/phone", None, Some(""))).unwrap();
        assert!(matches!(remove.call, HttpCall::Remove(_)));
        let get = parse_request(&request("GET", "/v3alpha/users/u1/phone", None, None)).unwrap();
        assert!(matches!(get.call, HttpCall::Get(_)));
    }

    #[test]
    fn routes_zitadel_s_v2_rest_gateway() {
        let json_type = Some("application/json");
        let set = parse_request(&request(
            "POST",
            "/v2/users/u1/phone",
            json_type,
            Some(r#"{"phone":"+41 71 123 45 67","returnCode":{}}"#),
        ))
        .unwrap();
        let HttpCall::Set(call) = set.call else { panic!("not a set: {set:?}") };
        assert_eq!(
            (call.user_id.as_str(), call.number.as_str(), call.mode),
            ("u1", "+41 71 123 45 67", VerificationMode::ReturnCode)
        );
        let verify = parse_request(&request(
            "POST",
            "/v2/users/u1/phone/verify",
            json_type,
            Some(r#"{"verificationCode":"ABC"}"#),
        ))
        .unwrap();
        assert!(matches!(verify.call, HttpCall::Verify(v) if v.code == "ABC"));
        let resend =
            parse_request(&request("POST", "/v2/users/u1/phone/resend", json_type, Some("{}")))
                .unwrap();
        assert!(matches!(resend.call, HttpCall::Resend(r) if r.delivery == Delivery::Send));
        let remove = parse_request(&request("DELETE", "/v2/users/u1/phone", None, None)).unwrap();
        assert!(matches!(remove.call, HttpCall::Remove(_)));
        let wrong = parse_request(&request("PUT", "/v2/users/u1/phone", json_type, Some("{}")));
        assert_eq!(wrong, Err(PhoneError::MethodNotAllowed { allow: "POST, DELETE" }));
        let nested = r#"{"phone":{"number":"+41711234567"}}"#;
        let err = parse_request(&request("POST", "/v2/users/u1/phone", json_type, Some(nested)));
        assert_eq!(err.unwrap_err().message(), "Request is invalid: phone must be a string");
        let both = r#"{"phone":"1","sendCode":{},"isVerified":true}"#;
        let err = parse_request(&request("POST", "/v2/users/u1/phone", json_type, Some(both)));
        assert_eq!(
            err.unwrap_err().message(),
            "Request is invalid: isVerified cannot be combined with sendCode"
        );
    }

    #[test]
    fn http_level_errors_in_order() {
        let long = format!("\"{}\"", "x".repeat(MAX_BODY_BYTES));
        let cases = [
            (request("GET", "/v3alpha/users/u1", None, None), 404, "HTTP-not-found"),
            (request("GET", "/v3alpha/users//phone/x", None, None), 404, "HTTP-not-found"),
            (request("POST", "/v3alpha/users/u1/phone", None, None), 405, "HTTP-method"),
            (request("GET", "/v3alpha/users/u1/phone/verify", None, None), 405, "HTTP-method"),
            (
                request("PUT", "/v3alpha/users/u1/phone", Some("application/json"), Some(&long)),
                413,
                "HTTP-too-large",
            ),
            (
                request("PUT", "/v3alpha/users/u1/phone", Some("text/plain"), Some("{}")),
                415,
                "HTTP-media-type",
            ),
            (request("PUT", "/v3alpha/users/u1/phone", None, Some("{}")), 415, "HTTP-media-type"),
            (
                request(
                    "PUT",
                    "/v3alpha/users/u1/phone",
                    Some("application/json"),
                    Some("{\"phone\": "),
                ),
                400,
                "REQUEST-invalid",
            ),
            (
                request("PUT", "/v3alpha/users/u1/phone", Some("application/json"), None),
                400,
                "REQUEST-invalid",
            ),
            (
                request("PUT", "/v3alpha/users/%ff/phone", Some("application/json"), Some("{}")),
                400,
                "REQUEST-invalid",
            ),
            (json!({"path": "/v3alpha/users/u1/phone"}), 400, "REQUEST-invalid"),
            // No sign in percent-encoding (u8::from_str_radix would take "+f").
            (request("GET", "/v3alpha/users/%+f/phone", None, None), 400, "REQUEST-invalid"),
        ];
        for (value, status, id) in cases {
            let (got_status, got_id, message) = err(value.clone());
            assert_eq!((got_status, got_id), (status, id), "{value}: {message}");
        }
    }

    #[test]
    fn a_declared_length_over_the_limit_or_bytes_not_utf8_are_refused_unread() {
        let with = |extra: Value| {
            let mut value =
                request("PUT", "/v3alpha/users/u1/phone", Some("application/json"), None);
            let map = value.as_object_mut().unwrap();
            map.extend(extra.as_object().unwrap().clone());
            err(value)
        };
        let declared = |length: &str| json!({"headers": {"content-type": "application/json", "Content-Length": length}});
        assert_eq!(with(declared("16385")).1, "HTTP-too-large");
        // At the limit, the body itself is read (here: none, so the request is malformed).
        assert_eq!(with(declared("16384")).1, "REQUEST-invalid");
        let (status, id, message) = with(json!({"bodyNotUtf8": true}));
        assert_eq!((status, id), (400, "REQUEST-invalid"));
        assert_eq!(message, "Request is invalid: body is not UTF-8 text");
    }

    #[test]
    fn bad_json_says_where() {
        let (_, _, message) = err(request(
            "PUT",
            "/v3alpha/users/u1/phone",
            Some("application/json"),
            Some("{\n  \"phone\": }"),
        ));
        assert_eq!(message, "Request is invalid: body could not be read as JSON: expected value at line 2 column 12");
    }

    #[test]
    fn tokens_and_media_types() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer   abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer"), None);
        assert!(is_json(Some("application/problem+json")));
        assert!(is_json(Some("Application/JSON")));
        assert!(!is_json(Some("application/jsonx")));
        assert!(!is_json(None));
        let no_auth = json!({"method": "GET", "path": "/v3alpha/users/u1/phone"});
        assert_eq!(parse_request(&no_auth).unwrap().token, None);
    }

    #[test]
    fn responses_carry_status_headers_and_body() {
        let r = HttpResponse::error(&PhoneError::MethodNotAllowed { allow: "POST" });
        assert_eq!(r.status, 405);
        let json = |r: &HttpResponse| serde_json::to_value(r).unwrap();
        assert_eq!(
            json(&r)["headers"],
            json!({"content-type": "application/json", "cache-control": "no-store", "allow": "POST"})
        );
        let r = HttpResponse::error(&PhoneError::Throttled { retry_after_seconds: 7 });
        assert_eq!((r.status, json(&r)["headers"]["retry-after"].as_str()), (429, Some("7")));
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["code"], 8);
        let details = Details {
            sequence: crate::engine::record::Sequence::new(3).unwrap(),
            change_date: crate::engine::time::Timestamp::from_millis(0).unwrap(),
            resource_owner: "o".into(),
        };
        let ok = HttpResponse::ok(&Reply::Details(DetailsReply { details }));
        assert_eq!(
            json(&ok)["body"],
            r#"{"details":{"sequence":"3","changeDate":"1970-01-01T00:00:00.000Z","resourceOwner":"o"}}"#
        );
    }
}
