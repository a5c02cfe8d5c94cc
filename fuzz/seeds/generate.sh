#!/usr/bin/env bash
# Writes the hand-made seed corpora of the fuzz targets. The seeds are checked in; run this
# again only after changing the input layout (see fuzz/src/lib.rs) or the list below.
#
# Head targets take two bytes before the payload: byte 0 = side (bit 0: 1 = origin), preset
# (bits 1-2: 0 strict, 1 default, 2 lenient) and target bits (3-7); byte 1 = read pattern
# (bits 0-1: 0 byte by byte, 1 fixed size, 2 varying, 3 one cut) and its argument (bits 2-7).
# Payloads are printf %b strings.
#
# The HTTP/2 targets (h2_frames, h2_guard, h2_shim) take a configuration byte of their own, the
# same read pattern byte, and (h2_guard) a timing byte; each target's header documents its
# bits. Their frames are written with the helpers below the HTTP/1 seeds.
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

rm -rf h1_request_head h1_response_head h1_chunked_body h2_frames h2_guard h2_shim translate_h1

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
# Found by fuzzing: an HTTP/0.9 repair must never answer a HEAD request.
s http09-answering-head 0d f1 '\r\r\r\r\r\r\r\r\rec'
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

# ---- HTTP/2 -------------------------------------------------------------------------------
# Helpers print printf %b strings; a seed is the concatenation, written with `seed`.
h() { printf '\\x%02x' "$@"; }
u16() { h $(($1 >> 8 & 255)) $(($1 & 255)); }
u24() { h $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
u32() { h $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
blen() { printf '%b' "$1" | wc -c; }
rep() { local n=$1 i; for ((i = 0; i < n; i++)); do printf '%s' "$2"; done; }

# fr TYPE FLAGS STREAM [PAYLOAD [LENGTH]]: a frame, its length the payload's unless given.
fr() { printf '%s%s%s%s' "$(u24 "${5:-$(blen "${4-}")}")" "$(h "$1" "$2")" "$(u32 "$3")" "${4-}"; }
DATA=0 HEADERS=1 PRIORITY=2 RST=3 SETTINGS=4 PUSH=5 PING=6 GOAWAY=7 WU=8 CONT=9
ES=1 ACK=1 EH=4 PAD=8 PRIO=32
PREFACE='PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
settings() { local p=''; while (($#)); do p+="$(u16 "$1")$(u32 "$2")"; shift 2; done; fr $SETTINGS 0 0 "$p"; }
ack() { fr $SETTINGS $ACK 0; }
ping() { fr $PING 0 0 '\x01\x02\x03\x04\x05\x06\x07\x08'; }
rst() { fr $RST 0 "$1" "$(u32 "${2:-8}")"; }
wu() { fr $WU 0 "$1" "$(u32 "$2")"; }
goaway() { fr $GOAWAY 0 0 "$(u32 "$1")$(u32 "$2")${3-}"; }
prio() { fr $PRIORITY 0 "$1" "$(u32 "$2")$(h "${3:-15}")"; }

# HPACK blocks, no Huffman: GET https://example.com/ and a 200 with a small body.
GET='\x82\x87\x84\x41\x0bexample.com'
POST='\x83\x87\x04\x05/form\x41\x0bexample.com'
OK200='\x88\x5f\x0atext/plain\x5c\x015'
OK200_CL3='\x88\x5c\x013'
STATUS200='\x88'
# A 103 interim response, a 200 whose names need repairs, and broken HPACK.
EARLY='\x08\x03103\x00\x04link\x15</a.css>; rel=preload'
UPPER='\x88\x00\x0cContent-Type\x0atext/plain\x00\x0aconnection\x0akeep-alive\x00\x02te\x04gzip'
BADHPACK='\x88\xfe'
# An origin that indexes a long etag, then refers to it again and again.
ETAG="\\x88\\x40\\x04etag\\x7f\\x81\\x01$(rep 256 x)"
ETAG_AGAIN="\\x88$(rep 16 '\xbe')"

seed() { # target name config-bytes... -- frames...
    local target=$1 name=$2 config=''
    shift 2
    while [[ $1 != -- ]]; do config+="\\x$1"; shift; done
    shift
    mkdir -p "$target"
    local IFS=''
    printf '%b' "$config$*" > "$target/$name"
}

# h2_frames: byte 0 = preface (bit 0), origin side (bit 1), policy (bits 2-4: 0 strict,
# 1 default, 2 lenient, 3 repair everything, 4 accept everything), frame size (bits 5-6:
# 16 KiB, 64, 2^24-1); byte 1 = read pattern.
WITH_PREFACE=01 CLIENT_DEFAULT=04 ORIGIN_DEFAULT=06 CLIENT_LENIENT=08 ORIGIN_LENIENT=0a
CLIENT_REPAIR=0c ORIGIN_REPAIR=0e CLIENT_ACCEPT=10 ORIGIN_ACCEPT=12 ORIGIN_SMALL_FRAMES=26 ORIGIN_BIG_FRAMES=46
f() { local name=$1 config=$2 split=$3; shift 3; seed h2_frames "$name" "$config" "$split" -- "$@"; }
f client-start "$(or $CLIENT_DEFAULT $WITH_PREFACE)" $BYTEWISE "$PREFACE" "$(settings 2 0 3 100 4 65535)" "$(wu 0 1048576)" \
    "$(fr $HEADERS $((EH | ES)) 1 "$GET")" "$(fr $HEADERS $EH 3 "$POST")" "$(fr $DATA $ES 3 'a=1')" "$(ack)"
f server-response $ORIGIN_DEFAULT $VARYING "$(settings 3 128 5 16384)" "$(ack)" \
    "$(fr $HEADERS $EH 1 "$OK200")" "$(fr $DATA $ES 1 'hello')" "$(ping)" "$(goaway 1 0 'bye')"
f padding $ORIGIN_REPAIR $FIXED_4 "$(fr $DATA $PAD 1 '\x03abc\x00\x00\x00')" "$(fr $DATA $PAD 1 '\x02xy\x01\x02')" \
    "$(fr $HEADERS $((EH | PAD | PRIO)) 1 "\\x04\\x00\\x00\\x00\\x03\\x10$OK200\\x00\\x00\\x00\\x07")" \
    "$(fr $PUSH $((EH | PAD)) 1 "\\x01\\x80\\x00\\x00\\x02$GET\\x00")"
f padding-exceeds $ORIGIN_ACCEPT $BYTEWISE "$(fr $DATA $PAD 1 '\x05abcde')" "$(fr $HEADERS $((EH | PAD)) 1)" \
    "$(fr $DATA $PAD 1 '\xff')" "$(fr $PUSH $PAD 1 '\x02\x00\x00\x00')"
f bad-lengths $CLIENT_LENIENT $VARYING_B "$(fr $PING 0 0 '1234567')" "$(fr $RST 0 1 '\x00\x00\x00\x08\x00')" \
    "$(fr $WU 0 0 '\x00\x01')" "$(fr $SETTINGS 0 0 '\x00\x03\x00\x00\x00')" "$(fr $GOAWAY 0 0 '\x00\x00\x00\x01')" \
    "$(fr $PRIORITY 0 3 '\x00\x00\x00\x01')" "$(fr $HEADERS $((EH | PRIO)) 1 '\x00\x00')" "$(fr $PUSH $EH 2 '\x00\x00')"
f length-lies $ORIGIN_LENIENT $CUT_HALF "$(fr $DATA 0 1 'abc' 10)" "$(fr $PING 0 0 '12345678' 2)" "$(ping)"
f continuation-chain $CLIENT_DEFAULT $FIXED_13 "$(fr $HEADERS $ES 1 '\x82\x87')" "$(fr $CONT 0 1 '\x84')" \
    "$(fr $CONT 0 1)" "$(fr $CONT $EH 1 '\x41\x0bexample.com')" "$(fr $HEADERS 0 3 '\x82')" "$(fr $CONT $EH 3 '\x87\x84')"
f continuation-interrupted $ORIGIN_ACCEPT $BYTEWISE "$(fr $HEADERS 0 1 '\x88')" "$(fr $DATA 0 1 'x')" \
    "$(fr $CONT 0 3 '\x88')" "$(fr $CONT $EH 1)" "$(fr $CONT $EH 1 '\x88')" "$(fr $CONT $EH 0)"
f reserved-bits $ORIGIN_ACCEPT $VARYING "$(fr $DATA $ES 2147483649 'x')" "$(wu 0 2147483649)" \
    "$(goaway 2147483653 0)" "$(fr $PUSH $EH 1 "\\x80\\x00\\x00\\x02$GET")" "$(prio 3 2147483649)"
f reserved-bits-repaired $CLIENT_REPAIR $BYTEWISE "$(fr $HEADERS $((EH | ES)) 2147483649 "$GET")" "$(wu 2147483649 1)"
f undefined-flags $CLIENT_REPAIR $FIXED_4 "$(fr $PING 254 0 '12345678')" "$(fr $DATA $((ES | 32 | 2)) 1 'x')" \
    "$(fr $SETTINGS 254 0)" "$(fr $CONT 255 1)" "$(fr $RST 255 1 '\x00\x00\x00\x00')" "$(fr $WU 8 0 '\x00\x00\x00\x01')"
f unknown-types $ORIGIN_DEFAULT $VARYING_B "$(fr 10 255 0 'extension')" "$(fr 255 0 7)" "$(fr 11 0 1 '\x00')" \
    "$(fr 16 1 0 'origin')" "$(ping)"
f settings-invalid $ORIGIN_REPAIR $BYTEWISE "$(settings 2 2 4 2147483648 5 100 5 16777216 8 7 1 0 65535 9)" \
    "$(fr $SETTINGS $ACK 0 '\x00\x01\x00\x00\x10\x00')" "$(fr $SETTINGS 0 1 '\x00\x03\x00\x00\x00\x01')" \
    "$(fr $SETTINGS $ACK 0 '\x00\x05\x00\x00\x00\x01')"
f self-dependency $CLIENT_REPAIR $CUT_QUARTER "$(fr $HEADERS $((EH | PRIO | ES)) 1 "\\x00\\x00\\x00\\x01\\x10$GET")" \
    "$(prio 3 3)" "$(prio 5 2147483653)" "$(fr $HEADERS $((EH | PRIO | PAD)) 7 "\\x01\\x80\\x00\\x00\\x07\\xff$GET\\x05")"
f stream-zero $ORIGIN_REPAIR $VARYING "$(fr $DATA 0 0 'x')" "$(prio 0 1)" "$(rst 0)" "$(wu 1 0)" "$(wu 0 0)" \
    "$(fr $PING 0 1 '12345678')" "$(fr $GOAWAY 0 3 '\x00\x00\x00\x00\x00\x00\x00\x00')" "$(fr $HEADERS $EH 0 '\x88')"
f even-stream-push-from-client "$(or $CLIENT_ACCEPT $WITH_PREFACE)" $FIXED_13 "$PREFACE" "$(settings)" "$(fr $HEADERS $((EH | ES)) 2 "$GET")" \
    "$(fr $PUSH $EH 1 "\\x00\\x00\\x00\\x02$GET")"
f bad-preface "$(or $CLIENT_DEFAULT $WITH_PREFACE)" $BYTEWISE 'PRI * HTTP/2.0\r\n\r\nSM\r\n\n' "$(settings)"
f preface-only "$(or $CLIENT_DEFAULT $WITH_PREFACE)" $CUT_HALF "$PREFACE"
f too-large $ORIGIN_DEFAULT $VARYING "$(fr $DATA 0 1 '' 16385)"
f small-max-frame $ORIGIN_SMALL_FRAMES $FIXED_13 "$(fr $DATA 0 1 "$(rep 64 z)")" "$(fr $DATA 0 1 "$(rep 65 z)")"
f big-frames $ORIGIN_BIG_FRAMES $VARYING_B "$(fr $DATA $ES 1 "$(rep 3000 d)")" "$(fr 0 0 1 '' 1048576)"
f truncated-at-eof $ORIGIN_DEFAULT $BYTEWISE "$(ping)" '\x00\x00\x08\x06\x00\x00\x00\x00\x00\x01\x02'
f ping-flood $CLIENT_DEFAULT $FIXED_13 "$(rep 40 "$(ping)")"
f rst-flood $CLIENT_LENIENT $VARYING "$(for i in $(seq 1 2 79); do fr $HEADERS $((EH | ES)) "$i" '\x82\x87\x84\x41\x01a'; rst "$i"; done)"

# h2_guard: byte 0 = client preface prepended (bit 0), policy (bits 1-3, as above), tight
# budgets (bit 4); byte 1 = read pattern; byte 2 = time step (bits 0-1: 0, 1 ms, 50 ms, 1 s),
# server bytes (bits 2-3: none, first, after each read, after every other read), server piece
# size (bits 4-7: 3n + 1).
G_DEFAULT=03 G_TIGHT=13 G_LENIENT=05 G_TIGHT_REPAIR=17 G_NO_PREFACE=02
T_STILL=00 T_MS=01 T_50MS=a2 T_1S=f3 T_SERVER_FIRST=04 T_SERVER_EACH=49 T_SERVER_ODD=2e
OPEN="$(settings 2 0 4 1048576)$(wu 0 1000000)"
REQ1="$(fr $HEADERS $((EH | ES)) 1 "$GET")"
g() { local name=$1 config=$2 split=$3 timing=$4; shift 4; seed h2_guard "$name" "$config" "$split" "$timing" -- "$@"; }
g browser $G_DEFAULT $VARYING $T_SERVER_EACH "$OPEN" "$REQ1" "$(fr $HEADERS $EH 3 "$POST")" "$(fr $DATA $ES 3 'a=1')" "$(ack)"
g preface-in-payload $G_NO_PREFACE $BYTEWISE $T_MS "$PREFACE" "$OPEN" "$REQ1"
g no-preface $G_NO_PREFACE $FIXED_4 $T_STILL "$OPEN" "$REQ1"
g rapid-reset $G_DEFAULT $FIXED_13 $T_MS "$OPEN" "$(for i in $(seq 1 2 421); do fr $HEADERS $((EH | ES)) "$i" '\x82\x87\x84\x41\x01a'; rst "$i"; done)"
g rapid-reset-slow $G_TIGHT $VARYING $T_1S "$OPEN" "$(for i in $(seq 1 2 41); do fr $HEADERS $((EH | ES)) "$i" '\x82\x87\x84\x41\x01a'; rst "$i"; done)"
g made-you-reset $G_TIGHT $VARYING_B $T_SERVER_EACH "$OPEN" "$(for i in $(seq 1 2 21); do fr $HEADERS $((EH | ES)) "$i" '\x82'; wu "$i" 0; done)"
g settings-flood $G_DEFAULT $CUT_HALF $T_STILL "$OPEN" "$(rep 20 "$(settings 4 65535)")"
g ping-flood $G_DEFAULT $FIXED_13 $T_MS "$OPEN" "$(rep 35 "$(ping)")"
g ping-flood-spread $G_TIGHT $FIXED_13 $T_1S "$OPEN" "$(rep 20 "$(ping)")"
g priority-flood $G_TIGHT_REPAIR $VARYING $T_50MS "$OPEN" "$(for i in $(seq 1 2 29); do prio "$i" 0; done)"
g window-update-flood $G_TIGHT $FIXED_4 $T_SERVER_ODD "$OPEN" "$(rep 12 "$(wu 0 1)")"
g empty-data-flood $G_DEFAULT $VARYING $T_STILL "$OPEN" "$(fr $HEADERS $EH 1 "$POST")" "$(rep 105 "$(fr $DATA 0 1)")"
g empty-header-blocks $G_TIGHT $BYTEWISE $T_MS "$OPEN" "$(for i in 1 3 5 7; do fr $HEADERS $EH "$i"; done)"
g continuation-flood $G_DEFAULT $FIXED_13 $T_STILL "$OPEN" "$(fr $HEADERS 0 1 '\x82')" "$(rep 20 "$(fr $CONT 0 1 '\x87')")"
g continuation-tight $G_TIGHT $VARYING_B $T_SERVER_FIRST "$OPEN" "$(fr $HEADERS 0 1 '\x82')" "$(fr $CONT 0 1 '\x87')" \
    "$(fr $CONT 0 1 '\x84')" "$(fr $CONT $EH 1 '\x41\x01a')"
g header-block-bytes $G_TIGHT $FIXED_4 $T_STILL "$OPEN" "$(fr $HEADERS 0 1 "$GET")" "$(fr $CONT $EH 1 "\\x40\\x01x\\x40$(rep 64 v)")"
g header-fields $G_DEFAULT $CUT_QUARTER $T_MS "$OPEN" "$(fr $HEADERS $((EH | ES)) 1 "$GET$(rep 205 '\x82')")"
g header-fields-split $G_TIGHT $BYTEWISE $T_STILL "$OPEN" "$(fr $HEADERS 0 1 '\x82\x87')" "$(fr $CONT $EH 1 '\x84\x84\x84')"
g deviations $G_LENIENT $VARYING $T_SERVER_EACH "$OPEN" "$(fr $HEADERS $((EH | ES)) 2147483651 "$GET")" \
    "$(fr $DATA $PAD 3 '\x02ab\x01\x01')" "$(fr 10 0 0 'ext')" "$(fr $PING 64 0 '12345678')" "$(fr $PING 0 0 '123')"
g bad-frame-size $G_DEFAULT $CUT_HALF $T_STILL "$OPEN" "$(fr $DATA 0 1 '' 16385)" "$(rep 30 "$(ping)")"

# h2_shim: byte 0 = policy (bits 0-2, as above), h2's SETTINGS (bits 3-4: push off; table 0;
# table 256 and 64 KiB frames; push on), origin closes after the last byte (bit 5); byte 1 =
# read pattern. The payload is the origin's side; h2 has sent requests on streams 1 (GET),
# 3 (HEAD) and 5 (POST).
S_DEFAULT=01 S_LENIENT=02 S_REPAIR=03 S_ACCEPT=04 S_STRICT=00 S_TABLE0=09 S_BIG=11 S_PUSH=19 CLOSE=20
S_OPEN="$(settings 3 100 1 4096)$(ack)"
s() { local name=$1 config=$2 split=$3; shift 3; seed h2_shim "$name" "$config" "$split" -- "$@"; }
s responses $S_DEFAULT $VARYING "$S_OPEN" "$(fr $HEADERS $EH 1 "$OK200")" "$(fr $DATA $ES 1 'hello')" \
    "$(fr $HEADERS $((EH | ES)) 3 "$OK200_CL3")" "$(fr $HEADERS $EH 5 "$STATUS200")" "$(fr $DATA 0 5 'ok')" \
    "$(fr $HEADERS $((EH | ES)) 5 '\x40\x07x-check\x03yes')"
s interim-and-close "$(or $S_DEFAULT $CLOSE)" $BYTEWISE "$S_OPEN" "$(fr $HEADERS $EH 1 "$EARLY")" \
    "$(fr $HEADERS $EH 1 "$OK200")" "$(fr $DATA 0 1 'hel')"
s repairs $S_REPAIR $FIXED_4 "$S_OPEN" "$(fr $HEADERS $EH 1 "$UPPER")" "$(fr $DATA $((ES | PAD)) 1 '\x03hi\x01\x02\x03')" \
    "$(wu 0 0)" "$(fr 12 0 0 'ext')" "$(fr $PING 2 0 '12345678')"
s repairs-lenient $S_LENIENT $FIXED_13 "$S_OPEN" "$(fr $HEADERS $EH 1 "$UPPER")" "$(fr $DATA $PAD 1 '\x03hello\x00\x00\x00')" \
    "$(fr $DATA $ES 1 'x')"
s content-length-mismatch $S_DEFAULT $CUT_HALF "$S_OPEN" "$(fr $HEADERS $EH 1 "$OK200")" "$(fr $DATA $ES 1 'toolong')" \
    "$(fr $HEADERS $EH 5 "$OK200")" "$(fr $DATA $ES 5 'hi')"
s content-length-repaired $S_REPAIR $VARYING_B "$S_OPEN" "$(fr $HEADERS $EH 1 '\x88\x5c\x045, 5')" "$(fr $DATA $ES 1 'hello')" \
    "$(fr $HEADERS $EH 5 "$OK200")" "$(fr $DATA $ES 5 'hi')"
s continuation-chain $S_DEFAULT $BYTEWISE "$S_OPEN" "$(fr $HEADERS 0 1 '\x88')" "$(fr $CONT 0 1 '\x5f\x0atext/plain')" \
    "$(fr $CONT $EH 1 '\x5c\x015')" "$(fr $DATA $ES 1 'hello')"
s continuation-interrupted $S_ACCEPT $VARYING "$S_OPEN" "$(fr $HEADERS 0 1 '\x88')" "$(fr $DATA 0 1 'x')" \
    "$(fr $CONT $EH 1 '\x5c\x015')" "$(fr $CONT $EH 1)"
s hpack-invalid $S_DEFAULT $FIXED_4 "$S_OPEN" "$(fr $HEADERS $EH 1 "$BADHPACK")" "$(fr $DATA $ES 1 'x')"
s hpack-size-update $S_DEFAULT $VARYING "$S_OPEN" "$(fr $HEADERS $EH 1 "\\x20\\x3f\\xe1\\x1f$OK200")" \
    "$(fr $HEADERS $EH 5 '\x3f\xe1\x1f\x88')"
# h2 asked for a table of 0 (or 256): once the origin acknowledges, its next block must say so.
s table-zero $S_TABLE0 $VARYING_B "$S_OPEN" "$(fr $HEADERS $EH 1 "\\x20\\x88\\x40\\x03x-a\\x03one\\x40\\x03x-b\\x03two")" \
    "$(fr $HEADERS $((EH | ES)) 5 '\x88\xbe')"
s table-zero-not-announced $S_TABLE0 $BYTEWISE "$S_OPEN" "$(fr $HEADERS $EH 1 "\\x88\\x40\\x03x-a\\x03one")"
s table-zero-before-ack $S_TABLE0 $FIXED_4 "$(settings 3 100)" "$(fr $HEADERS $EH 1 "\\x88\\x40\\x03x-a\\x03one")" \
    "$(ack)" "$(fr $HEADERS $EH 1 '\x20\x88\x40\x03x-b\x03two')" "$(fr $HEADERS $((EH | ES)) 5 '\x88')"
s etag-expansion $S_DEFAULT $FIXED_13 "$S_OPEN" "$(fr $HEADERS $((EH | ES)) 1 "$ETAG")" \
    "$(fr $HEADERS $((EH | ES)) 5 "$ETAG_AGAIN")"
s big-frames $S_BIG $CUT_QUARTER "$S_OPEN" "$(fr $HEADERS $EH 1 "\\x3f\\xe1\\x01\\x88\\x40\\x03x-a\\x7f\\x81\\x28$(rep 5248 y)")" \
    "$(fr $DATA $ES 1 "$(rep 17000 b)")"
s push-promise $S_PUSH $VARYING "$S_OPEN" "$(fr $PUSH $EH 1 "\\x00\\x00\\x00\\x02$GET")" "$(fr $HEADERS $EH 1 "$OK200")" \
    "$(fr $HEADERS $EH 2 "$OK200")" "$(fr $DATA $ES 1 'hello')" "$(fr $DATA $ES 2 'hello')"
s push-unwanted $S_DEFAULT $BYTEWISE "$S_OPEN" "$(fr $PUSH $EH 1 "\\x00\\x00\\x00\\x02$GET")"
s settings-games $S_REPAIR $FIXED_4 "$(settings 1 0 5 16777215 4 2147483648)" "$(fr $SETTINGS $ACK 0 '\x00\x01\x00\x00\x00\x00')" \
    "$(ack)" "$(fr $SETTINGS 0 1)" "$(fr $HEADERS $EH 1 "$OK200")"
s resets-and-goaway $S_DEFAULT $VARYING "$S_OPEN" "$(rst 1 2)" "$(fr $DATA 0 1 'late')" "$(rst 3 8)" "$(wu 5 100)" \
    "$(goaway 5 0 'shutting down')" "$(fr $HEADERS $EH 5 "$OK200")" "$(fr $DATA $ES 5 'hello')"
s stream-errors $S_STRICT $BYTEWISE "$S_OPEN" "$(fr $HEADERS $EH 1 '\x88\x88')" "$(fr $DATA $ES 1 'x')" \
    "$(fr $HEADERS $EH 3 '\x00\x0aconnection\x05close\x88')" "$(fr $HEADERS $EH 5 "$OK200")" "$(fr $DATA 0 5 'toolong')"
s frame-too-large "$(or $S_DEFAULT $CLOSE)" $CUT_HALF "$S_OPEN" "$(fr $DATA 0 1 '' 16385)"
s truncated "$(or $S_LENIENT $CLOSE)" $VARYING "$S_OPEN" "$(fr $HEADERS 0 1 '\x88')"
s padded-data-flood $S_DEFAULT $FIXED_13 "$S_OPEN" "$(fr $HEADERS $EH 5 "$STATUS200")" "$(rep 60 "$(fr $DATA $PAD 5 '\x02z\x00\x00')")"
s dropped-frames-flood $S_REPAIR $VARYING "$S_OPEN" "$(rep 40 "$(fr $DATA 0 0 'xxxx')$(wu 0 0)$(prio 0 1)")"

# translate_h1: one selector byte, then the HTTP/1 bytes. Bit 7: 0 requests, 1 responses;
# bit 1: bodies framed by Content-Length go out as of unknown length (responses: and to an
# HTTP/1.0 client); responses only: bit 0 answers HEAD, bit 2 the client does not keep alive.
t() { mkdir -p translate_h1; { printf "\\x$2"; printf '%b' "$3"; } > "translate_h1/$1"; }
t get-host-cookies 00 'GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nCookie: a=1\r\nCookie: b=2\r\nTE: trailers, gzip\r\nConnection: keep-alive, x-hop\r\nX-Hop: 1\r\n\r\n'
t post-chunked-trailers 02 'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n'
t post-length 00 'POST /up HTTP/1.1\r\nHost: h:8080\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc'
t absolute-form 00 'GET http://other.example:81/p HTTP/1.1\r\nHost: ignored\r\n\r\n'
t options-star 00 'OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n'
t http10-upgrade 00 'GET / HTTP/1.0\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'
t response-length 80 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello'
t response-chunked-10 82 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x\r\n\r\n5\r\nhello\r\n0\r\nX: 1\r\n\r\n'
t response-head 81 'HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n'
t response-interim 84 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 9\r\n\r\n'
t response-close 80 'HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nuntil close'
