//! `tollgate inspect hpack`: decodes header blocks, one hex-encoded block per line, in one HPACK
//! context, as the blocks of one direction of a connection are.

use std::fmt::Write as _;
use std::process::ExitCode;

use tollgate_codecs::h2::hpack::{DecodeError, Decoder, HeaderBlock, Limits};

use crate::cli::escape::escape;
use crate::cli::failure::Failure;
use crate::cli::h2_report::{HpackErrorReport, block_fields};
use crate::cli::h2_text::{field_lines, size_updates};
use crate::cli::hex;
use crate::cli::input::Source;
use crate::cli::output::{self, line};

/// Everything one `inspect hpack` run needs.
pub(crate) struct HpackInspection {
    pub(crate) source: Source,
    pub(crate) table_size: usize,
    pub(crate) json: bool,
}

/// A block that decoded.
struct Decoded {
    line: usize,
    block: HeaderBlock,
    table_size: usize,
    table_entries: usize,
}

/// The first block that did not.
struct Failed {
    line: usize,
    error: DecodeError,
}

impl HpackInspection {
    pub(crate) fn run(self) -> Result<ExitCode, Failure> {
        let text = self.source.read_raw()?;
        // Every line is checked before anything is decoded or printed: a typo is a usage
        // error, not a verdict.
        let lines = hex::decode_lines(&text)
            .map_err(|err| Failure::new(format!("{}: bad hex at {err}", self.source.name())))?;
        let mut decoder = Decoder::with_table_size(self.table_size, Limits::default());
        let mut decoded = Vec::with_capacity(lines.len());
        let mut failed = None;
        for hex_line in lines {
            match decoder.decode(&hex_line.bytes) {
                Ok(block) => decoded.push(Decoded {
                    line: hex_line.line,
                    block,
                    table_size: decoder.dynamic_table().size(),
                    table_entries: decoder.dynamic_table().len(),
                }),
                Err(error) => {
                    failed = Some(Failed {
                        line: hex_line.line,
                        error,
                    });
                    break;
                }
            }
        }
        if self.json {
            output::emit(&json(&decoded)?)?;
            if let Some(failed) = &failed {
                // The array has room for header lists only: the reason goes to stderr.
                eprintln!("rejected: {}", reason(failed));
            }
        } else {
            output::emit(&self.text(&decoded, failed.as_ref()))?;
        }
        Ok(ExitCode::from(u8::from(failed.is_some())))
    }

    fn text(&self, decoded: &[Decoded], failed: Option<&Failed>) -> String {
        let mut out = String::new();
        let total = decoded.len() + usize::from(failed.is_some());
        let _ = writeln!(
            out,
            "hpack, dynamic table size {} bytes, {total} {}",
            self.table_size,
            plural(total, "block", "blocks")
        );
        if total == 0 {
            out.push_str("\nno blocks\n");
        }
        for (index, block) in decoded.iter().enumerate() {
            let fields = block.block.len();
            let _ = writeln!(
                out,
                "\nblock {} (line {}): {fields} {}, table {} bytes in {} {} after it",
                index + 1,
                block.line,
                plural(fields, "field", "fields"),
                block.table_size,
                block.table_entries,
                plural(block.table_entries, "entry", "entries")
            );
            size_updates(&mut out, block.block.table_size_updates());
            field_lines(&mut out, &block_fields(&block.block));
        }
        out.push('\n');
        match failed {
            None => {
                let _ = writeln!(
                    out,
                    "verdict: accepted ({total} {})",
                    plural(total, "block", "blocks")
                );
            }
            Some(failed) => {
                let error = HpackErrorReport::of(&failed.error);
                let _ = writeln!(out, "verdict: rejected: {}", reason(failed));
                line(&mut out, "error kind", error.kind);
                line(
                    &mut out,
                    "at",
                    format!("byte {} of the block", error.offset),
                );
                let effect = if error.connection_error {
                    "the compression context is lost (connection error COMPRESSION_ERROR)"
                } else {
                    "the message is refused; the context is intact"
                };
                line(&mut out, "effect", effect);
            }
        }
        out
    }
}

/// `line N: block M does not decode: …`.
fn reason(failed: &Failed) -> String {
    let error = HpackErrorReport::of(&failed.error);
    format!(
        "line {}: the block does not decode: {} (byte {} of the block)",
        failed.line, error.message, error.offset
    )
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// The JSON form: an array with one array per block of `[name, value]` pairs, both escaped;
/// one block per line.
fn json(decoded: &[Decoded]) -> Result<String, Failure> {
    let mut lines = Vec::with_capacity(decoded.len());
    for block in decoded {
        let pairs: Vec<[String; 2]> = block
            .block
            .iter()
            .map(|field| [escape(field.name()), escape(field.value())])
            .collect();
        lines.push(
            serde_json::to_string(&pairs)
                .map_err(|err| Failure::new(format!("cannot render JSON: {err}")))?,
        );
    }
    Ok(if lines.is_empty() {
        "[]\n".to_owned()
    } else {
        format!("[\n  {}\n]\n", lines.join(",\n  "))
    })
}
