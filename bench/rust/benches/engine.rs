//! The engine's hot paths, natively: phone parsing, request parsing, a whole set-phone decision
//! (code generation and HMAC included), a verify decision, option parsing and HTTP routing.
use std::hint::black_box;

use contact_phone::engine::code::{RandomSource, RandomUnavailable};
use contact_phone::engine::error::Callback;
use contact_phone::http;
use contact_phone::engine::options::Options;
use contact_phone::engine::phone::{self, ParseOptions, Region};
use contact_phone::engine::record::UserRecord;
use contact_phone::engine::request::{SetPhone, VerifyPhone};
use contact_phone::engine::time::Timestamp;
use contact_phone::engine::{prepare, Context, Operation};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

struct Counter(u8);

impl RandomSource for Counter {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable> {
        for b in bytes {
            self.0 = self.0.wrapping_mul(31).wrapping_add(7);
            *b = self.0;
        }
        Ok(())
    }
}

fn benches(c: &mut Criterion) {
    let ch = ParseOptions { default_region: Region::parse("CH"), ..ParseOptions::default() };
    c.bench_function("phone::parse national CH", |b| b.iter(|| phone::parse(black_box("079 123 45 67"), &ch)));
    c.bench_function("phone::parse international +1", |b| {
        b.iter(|| phone::parse(black_box("+1 (415) 555-2671"), &ch))
    });

    let request = json!({"phone": {"number": "+41 79 123 45 67", "returnCode": {}}});
    c.bench_function("SetPhone::parse", |b| b.iter(|| SetPhone::parse(&json!("u1"), black_box(&request))));

    let options_json = json!({"caller": {"userId": "u1", "permissions": ["user.write"]}, "codeSecret": "0123456789abcdef0123456789abcdef"});
    c.bench_function("Options::from_json", |b| b.iter(|| Options::from_json(black_box(&options_json))));

    let user = UserRecord::from_json(&json!({"userId": "u1", "resourceOwner": "o", "sequence": 1}), "u1", Callback::LoadUser).unwrap();
    let (set, options) = prepare(SetPhone::parse(&json!("u1"), &request).unwrap(), &options_json).unwrap();
    let ctx = Context { options: &options, now: Timestamp::from_millis(1_795_867_200_000).unwrap() };
    let mut random = Counter(1);
    c.bench_function("set-phone decision (returnCode)", |b| {
        b.iter(|| set.decide(Some(black_box(&user)), &ctx, &mut random))
    });

    let decision = set.decide(Some(&user), &ctx, &mut random).unwrap();
    let pending = decision.save.unwrap().record;
    let code = decision.outcome.unwrap().verification_code.unwrap();
    let verify = VerifyPhone::parse(&json!("u1"), &json!({"verificationCode": code.as_str()})).unwrap();
    c.bench_function("verify decision (HMAC, constant-time compare)", |b| {
        b.iter(|| verify.decide(Some(black_box(&pending)), &ctx, &mut random))
    });

    let http_request = json!({"method": "PUT", "path": "/v3alpha/users/u1/phone",
        "headers": {"content-type": "application/json", "authorization": "Bearer t"},
        "body": request.to_string()});
    c.bench_function("http::parse_request", |b| b.iter(|| http::parse_request(black_box(&http_request))));
}

criterion_group!(engine, benches);
criterion_main!(engine);
