//! The `generic` group: what any HTTP/2 server must accept (44 cases).

use super::*;

/// The cases of the group, in h2spec's order.
pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::new(
            "generic/1/1",
            "Sends a client connection preface",
            "The endpoint MUST accept client connection preface.",
            |p| {
                p.script()
                    .preface()
                    .settings(&[(SettingId::INITIAL_WINDOW_SIZE, DEFAULT_WINDOW)]);
                p.expect(Expectation::ServerPreface);
            },
        )
        .without_handshake(),
        Case::new(
            "generic/2/1",
            "Sends a PRIORITY frame on idle stream",
            "The endpoint MUST accept PRIORITY frame.",
            |p| {
                p.script().priority(1, prio(0, false, 255));
                accept_ping(p, ZERO);
            },
        ),
        Case::new(
            "generic/2/2",
            "Sends a WINDOW_UPDATE frame on half-closed (remote) stream",
            "The endpoint MUST accept WINDOW_UPDATE frame.",
            |p| {
                // INITIAL_WINDOW_SIZE 0 keeps the stream from being closed by the response.
                p.script().settings(&[(SettingId::INITIAL_WINDOW_SIZE, 0)]);
                p.request(1, ES | EH);
                p.script().window_update(1, 1);
                p.expect(Expectation::FrameOfType(FrameType::DATA));
            },
        ),
        Case::new(
            "generic/2/3",
            "Sends a PRIORITY frame on half-closed (remote) stream",
            "The endpoint MUST accept PRIORITY frame.",
            |p| {
                p.script().settings(&[(SettingId::INITIAL_WINDOW_SIZE, 0)]);
                p.request(1, ES | EH);
                p.script()
                    .priority(1, prio(0, false, 255))
                    .window_update(1, 1);
                p.expect(Expectation::FrameOfType(FrameType::DATA));
            },
        ),
        Case::new(
            "generic/2/4",
            "Sends a RST_STREAM frame on half-closed (remote) stream",
            "The endpoint MUST accept RST_STREAM frame.",
            |p| {
                p.request(1, ES | EH);
                p.script().rst_stream(1, ErrorCode::CANCEL);
                accept_ping(p, ZERO);
            },
        ),
        Case::new(
            "generic/2/5",
            "Sends a PRIORITY frame on closed stream",
            "The endpoint MUST accept PRIORITY frame.",
            |p| {
                p.request(1, ES | EH);
                p.expect(Expectation::StreamClose);
                p.script().priority(1, prio(0, false, 255));
                accept_ping(p, ZERO);
            },
        ),
        Case::new(
            "generic/3.1/1",
            "Sends a DATA frame",
            "The endpoint MUST accept DATA frame.",
            |p| {
                post(p, 1, EH);
                p.script().data(1, b"test", ES, None);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.1/2",
            "Sends multiple DATA frames",
            "The endpoint MUST accept multiple DATA frames.",
            |p| {
                post(p, 1, EH);
                p.script()
                    .data(1, b"test", 0, None)
                    .data(1, b"test", ES, None);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.1/3",
            "Sends a DATA frame with padding",
            "The endpoint MUST accept DATA frame with padding.",
            |p| {
                post(p, 1, EH);
                p.script().data(1, b"test", ES, Some(5));
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.2/1",
            "Sends a HEADERS frame",
            "The endpoint MUST accept HEADERS frame.",
            |p| {
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.2/2",
            "Sends a HEADERS frame with padding",
            "The endpoint MUST accept HEADERS frame with padding.",
            |p| {
                let fields = p.common();
                let block = p.encode(&fields);
                p.script().headers_with(1, &block, ES | EH, None, Some(8));
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.2/3",
            "Sends a HEADERS frame with priority",
            "The endpoint MUST accept HEADERS frame with priority.",
            |p| {
                let fields = p.common();
                let block = p.encode(&fields);
                let priority = Some(prio(0, false, 255));
                p.script().headers_with(1, &block, ES | EH, priority, None);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.3/1",
            "Sends a PRIORITY frame with priority 1",
            "The endpoint MUST accept PRIORITY frame with priority 1.",
            |p| {
                p.script().priority(1, prio(0, false, 0));
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.3/2",
            "Sends a PRIORITY frame with priority 256",
            "The endpoint MUST accept PRIORITY frame with priority 256.",
            |p| {
                p.script().priority(1, prio(0, false, 255));
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.3/3",
            "Sends a PRIORITY frame with stream dependency",
            "The endpoint MUST accept PRIORITY frame with stream dependency.",
            |p| {
                p.script().priority(3, prio(1, false, 0));
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.3/4",
            "Sends a PRIORITY frame with exclusive",
            "The endpoint MUST accept PRIORITY frame with exclusive.",
            |p| {
                p.script().priority(1, prio(0, true, 0));
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.3/5",
            "Sends a PRIORITY frame for an idle stream, then send a HEADER frame for a lower stream ID",
            "The endpoint MUST respond the HEADER frame.",
            |p| {
                p.script().priority(3, prio(0, false, 255));
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.4/1",
            "Sends a RST_STREAM frame",
            "The endpoint MUST accept RST_STREAM frame.",
            |p| {
                p.request(1, EH);
                p.script().rst_stream(1, ErrorCode::CANCEL);
                accept_ping(p, ZERO);
            },
        ),
        Case::new(
            "generic/3.5/1",
            "Sends a SETTINGS frame",
            "The endpoint MUST accept SETTINGS frame.",
            |p| {
                p.script().settings(&[
                    (SettingId::HEADER_TABLE_SIZE, 4096),
                    (SettingId::ENABLE_PUSH, 1),
                    (SettingId::MAX_CONCURRENT_STREAMS, 100),
                    (SettingId::INITIAL_WINDOW_SIZE, 65_535),
                    (SettingId::MAX_FRAME_SIZE, 16_384),
                    (SettingId::MAX_HEADER_LIST_SIZE, 100),
                ]);
                p.expect(Expectation::SettingsAck);
            },
        ),
        Case::new(
            "generic/3.7/1",
            "Sends a PING frame",
            "The endpoint MUST accept PING frame.",
            |p| {
                accept_ping(p, H2SPEC);
            },
        ),
        Case::new(
            "generic/3.8/1",
            "Sends a GOAWAY frame",
            "The endpoint MUST accept GOAWAY frame.",
            |p| {
                p.script()
                    .goaway(0, ErrorCode::NO_ERROR, b"h2spec")
                    .ping(H2SPEC, false);
                p.expect(Expectation::PingAckOrClose(H2SPEC));
            },
        ),
        Case::new(
            "generic/3.9/1",
            "Sends a WINDOW_UPDATE frame with stream ID 0",
            "The endpoint MUST accept WINDOW_UPDATE frame.",
            |p| {
                p.script().window_update(0, 1);
                accept_ping(p, ZERO);
            },
        ),
        Case::new(
            "generic/3.9/2",
            "Sends a WINDOW_UPDATE frame with stream ID 1",
            "The endpoint MUST accept WINDOW_UPDATE frame.",
            |p| {
                p.request(1, ES | EH);
                p.script().window_update(1, 1);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.10/1",
            "Sends a CONTINUATION frame",
            "The endpoint MUST accept CONTINUATION frame.",
            |p| {
                let fields = p.common();
                let block = p.encode(&fields);
                let (first, rest) = block.split_at(5.min(block.len()));
                p.script().headers(1, first, ES).continuation(1, rest, EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/3.10/2",
            "Sends multiple CONTINUATION frames",
            "The endpoint MUST accept multiple CONTINUATION frames.",
            |p| {
                let fields = p.common();
                let block = p.encode(&fields);
                p.script().headers_split(1, &block, ES, &[5, 5]);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/4/1",
            "Sends a GET request",
            "The endpoint MUST respond to the request.",
            |p| {
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/4/2",
            "Sends a HEAD request",
            "The endpoint MUST respond to the request.",
            |p| {
                let fields = p.common_with_method("HEAD");
                p.headers(1, &fields, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/4/3",
            "Sends a POST request",
            "The endpoint MUST respond to the request.",
            |p| {
                post(p, 1, EH);
                p.script().data(1, b"test", ES, None);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/4/4",
            "Sends a POST request with trailers",
            "The endpoint MUST respond to the request.",
            |p| {
                let mut fields = p.common_with_method("POST");
                fields.push(field("trailer", "x-test"));
                p.headers(1, &fields, EH);
                p.script().data(1, b"test", 0, None);
                p.headers(1, &[field("x-test", "ok")], ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/1",
            "Sends a indexed header field representation",
            "The endpoint MUST accept indexed header field representation",
            |p| {
                // Indexed field 58 (user-agent).
                block_with(p, &[], b"\xba", ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/2",
            "Sends a literal header field with incremental indexing - indexed name",
            "The endpoint MUST accept literal header field with incremental indexing",
            |p| {
                // Literal with incremental indexing, new Huffman name (user-agent: h2spec):
                // h2spec's bytes for "indexed name".
                block_with(
                    p,
                    &[],
                    b"\x40\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/3",
            "Sends a literal header field with incremental indexing - indexed name (with Huffman coding)",
            "The endpoint MUST accept literal header field with incremental indexing",
            |p| {
                // Literal with incremental indexing, new plain name (user-agent: h2spec):
                // h2spec's bytes for "indexed name (with Huffman coding)".
                block_with(
                    p,
                    &[],
                    b"\x40\x0a\x75\x73\x65\x72\x2d\x61\x67\x65\x6e\x74\x06\x68\x32\x73\x70\x65\x63",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/4",
            "Sends a literal header field with incremental indexing - new name",
            "The endpoint MUST accept literal header field with incremental indexing",
            |p| {
                // Literal with incremental indexing, new name (x-test: h2spec).
                block_with(
                    p,
                    &[],
                    b"\x40\x06\x78\x2d\x74\x65\x73\x74\x06\x68\x32\x73\x70\x65\x63",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/5",
            "Sends a literal header field with incremental indexing - new name (with Huffman coding)",
            "The endpoint MUST accept literal header field with incremental indexing",
            |p| {
                // Literal with incremental indexing, new Huffman name (x-test: h2spec).
                block_with(
                    p,
                    &[],
                    b"\x40\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/6",
            "Sends a literal header field without indexing - indexed name",
            "The endpoint MUST accept literal header field without indexing",
            |p| {
                // Literal without indexing, new plain name (user-agent: h2spec): h2spec's
                // bytes for "indexed name".
                block_with(
                    p,
                    &[],
                    b"\x00\x0a\x75\x73\x65\x72\x2d\x61\x67\x65\x6e\x74\x06\x68\x32\x73\x70\x65\x63",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/7",
            "Sends a literal header field without indexing - indexed name (with Huffman coding)",
            "The endpoint MUST accept literal header field without indexing",
            |p| {
                // Literal without indexing, new Huffman name (user-agent: h2spec): h2spec's
                // bytes for "indexed name (with Huffman coding)".
                block_with(
                    p,
                    &[],
                    b"\x00\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/8",
            "Sends a literal header field without indexing - new name",
            "The endpoint MUST accept literal header field without indexing",
            |p| {
                // Literal without indexing, new name (x-test: h2spec).
                block_with(
                    p,
                    &[],
                    b"\x00\x06\x78\x2d\x74\x65\x73\x74\x06\x68\x32\x73\x70\x65\x63",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/9",
            "Sends a literal header field without indexing - new name (huffman encoded)",
            "The endpoint MUST accept literal header field without indexing",
            |p| {
                // Literal without indexing, new Huffman name (x-test: h2spec).
                block_with(
                    p,
                    &[],
                    b"\x00\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/10",
            "Sends a literal header field never indexed - indexed name",
            "The endpoint MUST accept literal header field never indexed",
            |p| {
                // Literal never indexed, new plain name (user-agent: h2spec): h2spec's bytes
                // for "indexed name".
                block_with(
                    p,
                    &[],
                    b"\x10\x0a\x75\x73\x65\x72\x2d\x61\x67\x65\x6e\x74\x06\x68\x32\x73\x70\x65\x63",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/11",
            "Sends a literal header field never indexed - indexed name (huffman encoded)",
            "The endpoint MUST accept literal header field never indexed",
            |p| {
                // Literal never indexed, new Huffman name (user-agent: h2spec): h2spec's
                // bytes for "indexed name (huffman encoded)".
                block_with(
                    p,
                    &[],
                    b"\x10\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/12",
            "Sends a literal header field never indexed - new name",
            "The endpoint MUST accept literal header field never indexed",
            |p| {
                // Literal never indexed, new Huffman name (x-test: h2spec): h2spec sends the
                // same bytes for "new name" and "new name (huffman encoded)".
                block_with(
                    p,
                    &[],
                    b"\x10\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/13",
            "Sends a literal header field never indexed - new name (huffman encoded)",
            "The endpoint MUST accept literal header field never indexed",
            |p| {
                // Literal never indexed, new Huffman name (x-test: h2spec).
                block_with(
                    p,
                    &[],
                    b"\x10\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4",
                    ES | EH,
                );
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/14",
            "Sends a dynamic table size update",
            "The endpoint MUST accept dynamic table size update",
            |p| {
                // The encoder announces 128 at the start of the next block.
                p.set_max_table_size(128);
                p.request(1, ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
        Case::new(
            "generic/5/15",
            "Sends multiple dynamic table size update",
            "The endpoint MUST accept multiple dynamic table size update",
            |p| {
                // Two dynamic table size updates: 128, then 4096.
                block_with(p, b"\x3f\x61\x3f\xe1\x1f", &[], ES | EH);
                p.expect(Expectation::Headers { stream: 1 });
            },
        ),
    ]
}
