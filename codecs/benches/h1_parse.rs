//! Head parsing: tollgate's decoders against bare httparse on the same inputs, in one run.
//!
//! Each input gets a group (`request_head/3_header_get`, ...) holding a `tollgate` and an
//! `httparse` benchmark, so the report reads as a ratio per input. Both sides start from a
//! fresh copy of the input built outside the timed region (`iter_batched_ref`): tollgate gets
//! a new decoder and `BytesMut`, httparse a new `Vec<u8>`; tollgate's parsed head is freed
//! outside it too. httparse is given uninitialised header slots, the cheapest way to call it
//! and the way tollgate's fast path calls it, so the difference is what tollgate adds around
//! httparse: scanning for the end of the head, limits, framing semantics and building the
//! owned `Request`/`Response`.
//!
//! ```text
//! cargo bench -p tollgate-codecs --bench h1_parse
//! ```

use std::hint::black_box;
use std::mem::MaybeUninit;
use std::sync::Arc;

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tollgate_codecs::h1::{
    Request, RequestDecoder, RequestEvent, RequestMethod, Response, ResponseDecoder, ResponseEvent,
};
use tollgate_codecs::{Policy, Side};

/// Enough slots for every input here, as in tollgate's fast path.
const HEADER_SLOTS: usize = 64;

const SMALL_GET: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\
User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

/// What Chrome sends for a navigation, cookies included.
const BROWSER_GET: &[u8] = b"GET /search?q=http+request+smuggling&hl=en HTTP/1.1\r\n\
Host: www.example.com\r\n\
Connection: keep-alive\r\n\
sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n\
sec-ch-ua-mobile: ?0\r\n\
sec-ch-ua-platform: \"Linux\"\r\n\
Upgrade-Insecure-Requests: 1\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
Chrome/124.0.0.0 Safari/537.36\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,\
image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-User: ?1\r\n\
Sec-Fetch-Dest: document\r\n\
Referer: https://www.example.com/\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r\n\
Cookie: _ga=GA1.2.1234567890.1700000000; session=7f3c9a1e5b2d4c6f8a0b; theme=dark\r\n\r\n";

/// A front page's response head: cookies, a long CSP, caching and tracing headers.
const LARGE_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Tue, 03 Jun 2025 10:15:42 GMT\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Length: 48213\r\n\
Connection: keep-alive\r\n\
Server: nginx\r\n\
Cache-Control: private, no-cache, no-store, max-age=0, must-revalidate\r\n\
Pragma: no-cache\r\n\
Expires: Thu, 01 Jan 1970 00:00:01 GMT\r\n\
Last-Modified: Tue, 03 Jun 2025 10:15:41 GMT\r\n\
ETag: W/\"bc35-18f2a7c9e3d\"\r\n\
Vary: Accept-Encoding, Cookie, Sec-CH-UA-Platform\r\n\
Accept-Ranges: bytes\r\n\
Age: 0\r\n\
Set-Cookie: session=7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b; Path=/; Domain=.example.com; Secure; \
HttpOnly; SameSite=Lax; Max-Age=1209600\r\n\
Set-Cookie: csrftoken=Zx8wq1PoL4mN7bV2cX5zA9sD3fG6hJ0k; Path=/; Secure; SameSite=Strict\r\n\
Set-Cookie: prefs=theme%3Ddark%26lang%3Den-GB%26tz%3DEurope%2FLondon; Path=/; \
Max-Age=31536000; Secure\r\n\
Set-Cookie: _ab=exp42.variantB; Path=/; Expires=Wed, 03 Jun 2026 10:15:42 GMT; Secure\r\n\
Content-Security-Policy: default-src 'self'; script-src 'self' 'nonce-r4nd0mN0nc3' \
https://cdn.example.com https://www.googletagmanager.com; style-src 'self' 'unsafe-inline' \
https://fonts.googleapis.com; img-src 'self' data: https://*.example-cdn.net; font-src 'self' \
https://fonts.gstatic.com; connect-src 'self' https://api.example.com wss://ws.example.com; \
frame-ancestors 'none'; base-uri 'self'; form-action 'self'; upgrade-insecure-requests; \
report-uri https://csp.example.com/report\r\n\
Strict-Transport-Security: max-age=63072000; includeSubDomains; preload\r\n\
X-Content-Type-Options: nosniff\r\n\
X-Frame-Options: DENY\r\n\
X-XSS-Protection: 0\r\n\
Referrer-Policy: strict-origin-when-cross-origin\r\n\
Permissions-Policy: camera=(), microphone=(), geolocation=(self), interest-cohort=()\r\n\
Cross-Origin-Opener-Policy: same-origin\r\n\
Cross-Origin-Resource-Policy: same-site\r\n\
Link: <https://cdn.example.com/app.3f9a.css>; rel=preload; as=style, \
<https://cdn.example.com/app.8c21.js>; rel=preload; as=script\r\n\
Server-Timing: cdn-cache;desc=MISS, edge;dur=12, origin;dur=87\r\n\
X-Request-Id: 4b8e2f1a-9c3d-4e5f-a6b7-c8d9e0f1a2b3\r\n\
Via: 1.1 varnish, 1.1 edge-lhr-07\r\n\
X-Cache: MISS, MISS\r\n\
NEL: {\"report_to\":\"default\",\"max_age\":2592000,\"include_subdomains\":true}\r\n\
Report-To: {\"group\":\"default\",\"max_age\":2592000,\"endpoints\":\
[{\"url\":\"https://report.example.com/nel\"}],\"include_subdomains\":true}\r\n\r\n";

// The head is handed back so that criterion frees it after the clock stops, as it does the
// inputs: freeing is not parsing, and httparse has nothing to free.
fn tollgate_request(decoder: &mut RequestDecoder, buf: &mut BytesMut) -> Option<Request> {
    match decoder.decode(buf) {
        Ok(Some(RequestEvent::Head(request))) => Some(request),
        _ => None,
    }
}

fn tollgate_response(decoder: &mut ResponseDecoder, buf: &mut BytesMut) -> Option<Response> {
    match decoder.decode(buf) {
        Ok(Some(ResponseEvent::Head(response))) => Some(response),
        _ => None,
    }
}

fn httparse_request(buf: &[u8]) -> Option<usize> {
    let mut slots = [MaybeUninit::<httparse::Header<'_>>::uninit(); HEADER_SLOTS];
    let mut request = httparse::Request::new(&mut []);
    let status = request.parse_with_uninit_headers(buf, &mut slots).ok()?;
    // The spans must escape, or the optimiser may skip work a real caller would pay for.
    black_box(&request);
    status.is_complete().then_some(request.headers.len())
}

fn httparse_response(buf: &[u8]) -> Option<usize> {
    let mut slots = [MaybeUninit::<httparse::Header<'_>>::uninit(); HEADER_SLOTS];
    let mut response = httparse::Response::new(&mut []);
    let status = httparse::ParserConfig::default()
        .parse_response_with_uninit_headers(&mut response, buf, &mut slots)
        .ok()?;
    black_box(&response);
    status.is_complete().then_some(response.headers.len())
}

/// The input in a read buffer as a connection holds it after its first message: `bytes`
/// turns a buffer into a shared one (one allocation) the first time it is split, and a
/// connection's buffer stays shared afterwards. Building it that way measures the steady state
/// instead of that one-off promotion.
fn read_buffer(input: &[u8]) -> BytesMut {
    let mut buf = BytesMut::with_capacity(input.len() + 1);
    buf.extend_from_slice(input);
    buf.extend_from_slice(b"\0");
    drop(buf.split_off(input.len()));
    buf
}

fn new_request_decoder(policy: &Arc<Policy>, input: &[u8]) -> (RequestDecoder, BytesMut) {
    (
        RequestDecoder::new(policy.clone(), Side::Client),
        read_buffer(input),
    )
}

fn new_response_decoder(policy: &Arc<Policy>, input: &[u8]) -> (ResponseDecoder, BytesMut) {
    let mut decoder = ResponseDecoder::new(policy.clone(), Side::Origin);
    decoder.expect_response(RequestMethod::Other);
    (decoder, read_buffer(input))
}

fn request_heads(c: &mut Criterion) {
    let policy = Arc::new(Policy::default());
    for (name, input) in [("3_header_get", SMALL_GET), ("browser_get", BROWSER_GET)] {
        // A head either parser refused would time an error path, not a parse.
        let (mut decoder, mut buf) = new_request_decoder(&policy, input);
        let fields = tollgate_request(&mut decoder, &mut buf).map(|r| r.head.fields().len());
        assert!(fields.is_some(), "tollgate refuses {name}");
        assert_eq!(
            fields,
            httparse_request(input),
            "parsers disagree on {name}"
        );

        let mut group = c.benchmark_group(format!("request_head/{name}"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function("tollgate", |b| {
            b.iter_batched_ref(
                || new_request_decoder(&policy, input),
                |(decoder, buf)| tollgate_request(decoder, buf),
                BatchSize::SmallInput,
            );
        });
        group.bench_function("httparse", |b| {
            b.iter_batched_ref(
                || input.to_vec(),
                |buf| httparse_request(buf),
                BatchSize::SmallInput,
            );
        });
        group.finish();
    }
}

fn response_heads(c: &mut Criterion) {
    let policy = Arc::new(Policy::default());
    let (name, input) = ("large_response", LARGE_RESPONSE);
    let (mut decoder, mut buf) = new_response_decoder(&policy, input);
    let fields = tollgate_response(&mut decoder, &mut buf).map(|r| r.head.fields().len());
    assert!(fields.is_some(), "tollgate refuses {name}");
    assert_eq!(
        fields,
        httparse_response(input),
        "parsers disagree on {name}"
    );

    let mut group = c.benchmark_group(format!("response_head/{name}"));
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("tollgate", |b| {
        b.iter_batched_ref(
            || new_response_decoder(&policy, input),
            |(decoder, buf)| tollgate_response(decoder, buf),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("httparse", |b| {
        b.iter_batched_ref(
            || input.to_vec(),
            |buf| httparse_response(buf),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, request_heads, response_heads);
criterion_main!(benches);
