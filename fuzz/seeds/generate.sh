#!/usr/bin/env bash
# Writes the hand-made seed corpora of the fuzz targets. The seeds are checked in; run this
# again only after changing the input layout (see fuzz/src/lib.rs) or the list below.
#
# Head targets take two bytes before the payload: byte 0 = side (bit 0: 1 = origin), preset
# (bits 1-2: 0 strict, 1 default, 2 lenient) and target bits (3-7); byte 1 = read pattern
# (bits 0-1: 0 byte by byte, 1 fixed size, 2 varying, 3 one cut) and its argument (bits 2-7).
# Payloads are printf %b strings.
set -euo pipefail
cd "$(dirname "$0")"

# Byte 0 values.
STRICT_CLIENT=00 STRICT_ORIGIN=01 DEFAULT_CLIENT=02 DEFAULT_ORIGIN=03
LENIENT_CLIENT=04 LENIENT_ORIGIN=05
# Response targets: OR these into byte 0.
HEAD=08 CONNECT=10 LISTED_ONE=20 LISTED_TWO=60
# Byte 1 values.
BYTEWISE=00 FIXED_4=0d FIXED_13=31 VARYING=02 VARYING_B=56 CUT_HALF=83 CUT_QUARTER=43

or() { printf '%02x' $((0x$1 | 0x$2)); }

head_seed() { # target name config split payload
    mkdir -p "$1"
    { printf "\\x$3\\x$4"; printf '%b' "$5"; } > "$1/$2"
}

body_seed() { # name payload
    mkdir -p h1_chunked_body
    printf '%b' "$2" > "h1_chunked_body/$1"
}

rm -rf h1_request_head h1_response_head h1_chunked_body

r() { head_seed h1_request_head "$@"; }
r get-clean $DEFAULT_CLIENT $BYTEWISE 'GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n'
r get-http10-keepalive $STRICT_ORIGIN $FIXED_4 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n'
r post-content-length $DEFAULT_CLIENT $VARYING 'POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world'
r pipelined $DEFAULT_ORIGIN $CUT_HALF 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
r chunked-ext-trailers $LENIENT_CLIENT $FIXED_13 'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: Expires\r\n\r\n5;name=value;q="a \\"b\\""\r\nhello\r\n0;end\r\nExpires: never\r\n\r\n'
r cl-te-conflict-origin $DEFAULT_ORIGIN $VARYING 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX'
r cl-te-conflict-client $DEFAULT_CLIENT $BYTEWISE 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n1\r\nZ\r\n0\r\n\r\n'
r duplicate-cl-same $LENIENT_ORIGIN $CUT_QUARTER 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok'
r duplicate-cl-differ $LENIENT_CLIENT $FIXED_4 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc'
r cl-leading-zeros $DEFAULT_CLIENT $VARYING_B 'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0003\r\n\r\nabc'
r cl-signed $LENIENT_ORIGIN $BYTEWISE 'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc'
r obs-fold $DEFAULT_ORIGIN $BYTEWISE 'GET / HTTP/1.1\r\nHost: a\r\nX-Long: first\r\n\t second\r\n  third\r\n\r\n'
r bare-lf $LENIENT_CLIENT $VARYING 'GET / HTTP/1.1\nHost: a\nX: y\r\n\n'
r bare-cr $DEFAULT_ORIGIN $FIXED_4 'GET / HTTP/1.1\r\nHost: a\rX: y\r\nZ: w\r\n\r\n'
r leading-empty-lines $DEFAULT_CLIENT $BYTEWISE '\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n\r\n'
r ws-before-first-header $LENIENT_ORIGIN $CUT_HALF 'GET / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n'
r space-before-colon $DEFAULT_ORIGIN $VARYING 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 3\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n'
r te-xchunked $LENIENT_ORIGIN $BYTEWISE 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\nabc'
r te-chunked-identity $DEFAULT_ORIGIN $FIXED_13 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'
r te-duplicate-chunked $LENIENT_ORIGIN $VARYING_B 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
r te-chunked-then-gzip $DEFAULT_ORIGIN $BYTEWISE 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip, chunked\r\n\r\n0\r\n\r\n'
r te-quoted-tab $LENIENT_ORIGIN $CUT_QUARTER 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\t"chunked"\r\nTransfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n'
r te-lookalike $DEFAULT_ORIGIN $VARYING 'POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nContent_Length: 1\r\nHOST: b\r\n\r\n'
r te-http10 $LENIENT_ORIGIN $FIXED_4 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n'
r unknown-minor $DEFAULT_ORIGIN $BYTEWISE 'GET / HTTP/1.7\r\nHost: a\r\n\r\n'
r absolute-form-userinfo $LENIENT_ORIGIN $VARYING 'GET http://user:pw@Example.com:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n'
r target-fragment-bytes $DEFAULT_CLIENT $FIXED_13 'GET /a"b{c}#frag HTTP/1.1\r\nHost: a\r\n\r\n'
r expect $LENIENT_CLIENT $CUT_HALF 'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nxPUT / HTTP/1.0\r\nExpect: 100-continue, fancy\r\n\r\n'
r upgrade-h2c $DEFAULT_ORIGIN $VARYING_B 'GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c, websocket\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n'
r connection-lists-framing $DEFAULT_ORIGIN $BYTEWISE 'POST / HTTP/1.1\r\nHost: a\r\nConnection: close, Content-Length, host\r\nContent-Length: 1\r\n\r\nz'
r connect-options $STRICT_CLIENT $VARYING 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'
r host-missing-multiple-invalid $LENIENT_ORIGIN $FIXED_4 'GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a b\r\n\r\n'
r nul-ctl-bytes $DEFAULT_ORIGIN $BYTEWISE 'GET / HTTP/1.1\r\nHost: a\r\nX-Nul: a\x00b\r\nX-Ctl: \x01c\x7f\r\nX-Obs: \xe9t\xe9\r\n\r\n'
r invalid-name-missing-colon $LENIENT_ORIGIN $VARYING 'GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\nno colon here\r\n[x]: y\r\n\r\n'
r data-after-close $DEFAULT_ORIGIN $CUT_HALF 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'
r extra-spaces $LENIENT_ORIGIN $BYTEWISE 'GET  /  HTTP/1.1 \r\nHost: a\r\n\r\n'
r h2-preface $DEFAULT_CLIENT $FIXED_4 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
r too-many-headers $DEFAULT_CLIENT $VARYING "GET / HTTP/1.1\\r\\n$(for i in $(seq 101); do printf 'a: b\\r\\n'; done)\\r\\n"

s() { head_seed h1_response_head "$@"; }
s ok-content-length $DEFAULT_ORIGIN $BYTEWISE 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'
s chunked-trailers $DEFAULT_ORIGIN $VARYING 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4;ext=1\r\nwiki\r\n0\r\nX-Sum: 42\r\n\r\n'
s continue-then-final $STRICT_ORIGIN $FIXED_4 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
s early-hints-pipelined $DEFAULT_ORIGIN $CUT_HALF 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'
s no-content-with-cl $DEFAULT_ORIGIN $BYTEWISE 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n'
s not-modified-cl $LENIENT_ORIGIN $VARYING_B 'HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nETag: "x"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
s head-with-cl "$(or $DEFAULT_ORIGIN $HEAD)" $FIXED_13 'HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
s connect-tunnel "$(or $DEFAULT_ORIGIN $CONNECT)" $VARYING 'HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01\x00\xa5tls bytes'
s connect-refused "$(or $STRICT_ORIGIN $CONNECT)" $BYTEWISE 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n'
s switching-protocols $DEFAULT_ORIGIN $FIXED_4 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello'
s http09 $LENIENT_ORIGIN $BYTEWISE '<html>hello</html>\n'
s http09-client-side $LENIENT_CLIENT $CUT_QUARTER '\r\nHTTX/1.1 200 OK\r\n\r\n'
s http10-until-close $DEFAULT_ORIGIN $VARYING 'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>until close</html>'
s cl-te-conflict $DEFAULT_ORIGIN $BYTEWISE 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'
s invalid-cl $LENIENT_ORIGIN $FIXED_13 'HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nbody until close'
s te-gzip-only $DEFAULT_ORIGIN $VARYING_B 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00'
s te-chunked-gzip $LENIENT_ORIGIN $BYTEWISE 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 2\r\n\r\nzz'
s te-invalid-syntax $LENIENT_ORIGIN $CUT_HALF 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;q=1, ,\r\n\r\n0\r\n\r\n'
s te-identity $DEFAULT_ORIGIN $FIXED_4 'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc'
s te-chunked-then-identity $DEFAULT_ORIGIN $VARYING 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\nuntil close'
s reason-missing $DEFAULT_ORIGIN $BYTEWISE 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n'
s status-out-of-range $LENIENT_ORIGIN $VARYING 'HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\nHTTP/1.1 600 Odder\r\nContent-Length: 0\r\n\r\n'
s extra-spaces $DEFAULT_ORIGIN $FIXED_13 'HTTP/1.1   200   OK\r\nContent-Length: 0\r\n\r\n'
s obs-fold-bare-lf $DEFAULT_ORIGIN $BYTEWISE 'HTTP/1.1 200 OK\nX-Folded: a\n  b\nContent-Length: 1\n\nx'
s reason-obs-text $STRICT_ORIGIN $VARYING 'HTTP/1.1 200 Tr\xe8s bien\r\nContent-Length: 0\r\n\r\n'
s extra-bytes-listed "$(or $DEFAULT_ORIGIN $LISTED_ONE)" $CUT_HALF 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
s two-listed-head "$(or $(or $LENIENT_ORIGIN $LISTED_TWO) $HEAD)" $BYTEWISE 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nleftover'
s duplicate-cl $DEFAULT_ORIGIN $VARYING_B 'HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 03\r\n\r\nabc'
s keepalive-http10 $DEFAULT_ORIGIN $FIXED_4 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\naHTTP/1.0 200 OK\r\n\r\nrest'
s ctl-nul-lookalike $DEFAULT_ORIGIN $BYTEWISE 'HTTP/1.1 200 OK\r\nX-Ctl: a\x01b\r\nX-Nul: \x00\r\nContent_Length: 99\r\nContent-Length: 1\r\n\r\n!'
s too-many-informational $DEFAULT_ORIGIN $VARYING "$(for i in $(seq 17); do printf 'HTTP/1.1 100 Continue\\r\\n\\r\\n'; done)HTTP/1.1 200 OK\\r\\n\\r\\n"
s large-head $DEFAULT_ORIGIN $VARYING_B 'HTTP/1.1 200 OK\r\nDate: Tue, 03 Jun 2025 10:00:00 GMT\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 4\r\nCache-Control: private, max-age=0, must-revalidate\r\nExpires: -1\r\nVary: Accept-Encoding, Cookie\r\nETag: W/"5e1-abc"\r\nSet-Cookie: session=abcdef0123456789; Path=/; Secure; HttpOnly; SameSite=Lax\r\nSet-Cookie: prefs=dark; Max-Age=31536000; Path=/\r\nContent-Security-Policy: default-src '"'"'self'"'"'; script-src '"'"'self'"'"' https://cdn.example.com; img-src * data:\r\nStrict-Transport-Security: max-age=63072000; includeSubDomains; preload\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: strict-origin-when-cross-origin\r\nServer: tollgate-test\r\n\r\nbody'

b() { body_seed "$@"; }
b simple '5\r\nhello\r\n0\r\n\r\n'
b several-hex-case 'A\r\n0123456789\r\nf\r\nabcdefghijklmno\r\n1F\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n'
b extensions '5;name=value;flag;q="a \\"quoted\\" \\\\ value"\r\nhello\r\n0;last=yes\r\n\r\n'
b extension-whitespace '5 ; a = b ;c\r\nhello\r\n0\t;\tz\r\n\r\n'
b trailers '3\r\nabc\r\n0\r\nExpires: never\r\nX-Checksum: deadbeef\r\n\r\n'
b forbidden-trailers '1\r\nz\r\n0\r\nContent-Length: 5\r\nHost: evil\r\nTransfer-Encoding: chunked\r\nX-Ok: 1\r\n\r\n'
b trailer-fold-cr-nul '0\r\nX-A: one\r\n two\r\nX-B: c\rd\r\nX-C: \x00e\x01\r\n\r\n'
b bare-lf '5\nhello\n0\nX: y\n\n'
b size-trailing-ws '5 \t\r\nhello\r\n0 \r\n\r\n'
b missing-crlf-after-data '5\r\nhello3\r\nabc\r\n0\r\n\r\n'
b invalid-extension '5;\x01bad ext\r\nhello\r\n0;"q"\r\n\r\n'
b size-overflow '10000000000000000\r\nx\r\n0\r\n\r\n'
b leading-zeros '0005\r\nhello\r\n000\r\n\r\n'
b size-prefixes '0x5\r\nhello\r\n-1\r\n+2\r\n0\r\n\r\n'
b empty-size-line '\r\n5\r\nhello\r\n0\r\n\r\n'
b crlf-in-data '4\r\n\r\n\r\n\r\n0\r\n\r\n'
b cr-without-lf '5\r\rhello\r\n0\r\n\r\n'
b incomplete '5\r\nhel'
b pipelined-after '2\r\nhi\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
b smuggle-in-trailers '0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n'
b unterminated-quote '5;a="unterminated\r\nhello\r\n0\r\n\r\n'
b quoted-lf '5;a="x\ny"\r\nhello\r\n0\r\n\r\n'
b trailer-no-colon '0\r\nnot a field\r\n[bad]: 1\r\n\r\n'
