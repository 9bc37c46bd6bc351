//! The documents as JSON text, compact (for `JSON.parse`) or pretty (`assessCsvJson`, the CLI's
//! `--format json` bytes).
//!
//! One formatter type decides the layout at run time: with serde_json's two formatter types,
//! every document's serializer would be compiled twice into the module (size budget, issue 6).
//! It writes serde_json's layouts byte for byte (tested against `serde_json::to_string` and
//! `to_string_pretty`), with each separator and the indentation after it in one write:
//! serde_json's pretty formatter writes the indentation one level at a time, and in the
//! size-optimised module every write is a call chain that copies a few bytes (benches/README.md).

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io;

/// A comma, a newline and the indentation of up to 32 levels (two spaces each), sliced per write.
const BREAK: &[u8; 66] = b",\n                                                                ";

/// serde_json's compact layout, or (`pretty`) its pretty layout with a two-space indent.
struct Layout {
    pretty: bool,
    /// Nesting depth (pretty only).
    depth: usize,
    /// Whether the innermost open array or object has a value (pretty only).
    has_value: bool,
}

impl Layout {
    /// Before an array value or an object key: a comma unless `first`, then in the pretty
    /// layout a newline and the indentation.
    #[inline(always)]
    fn separator<W: ?Sized + io::Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        if self.pretty {
            self.newline(w, !first)
        } else if first {
            Ok(())
        } else {
            w.write_all(b",")
        }
    }

    /// A comma if `comma`, a newline and the current indentation, in one write when the
    /// indentation fits `BREAK`.
    #[inline(always)]
    fn newline<W: ?Sized + io::Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        let start = usize::from(!comma);
        let end = 2 + 2 * self.depth;
        if end <= BREAK.len() {
            return w.write_all(&BREAK[start..end]);
        }
        w.write_all(&BREAK[start..2])?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    #[inline(always)]
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        if self.pretty {
            self.depth += 1;
            self.has_value = false;
        }
        w.write_all(bracket)
    }

    #[inline(always)]
    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        if self.pretty {
            self.depth -= 1;
            if self.has_value {
                self.newline(w, false)?;
            }
        }
        w.write_all(bracket)
    }
}

/// An array's or an object's events: they differ only in the bracket (an object's entry begins
/// with its key, an array's with its value).
macro_rules! container_events {
    ($begin:ident, $end:ident, $begin_entry:ident, $end_value:ident, $open:literal, $close:literal) => {
        #[inline]
        fn $begin<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
            self.open(w, $open)
        }

        #[inline]
        fn $end<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
            self.close(w, $close)
        }

        #[inline]
        fn $begin_entry<W: ?Sized + io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> io::Result<()> {
            self.separator(w, first)
        }

        #[inline]
        fn $end_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
            self.has_value = true;
            Ok(())
        }
    };
}

impl Formatter for Layout {
    container_events!(
        begin_array,
        end_array,
        begin_array_value,
        end_array_value,
        b"[",
        b"]"
    );
    container_events!(
        begin_object,
        end_object,
        begin_object_key,
        end_object_value,
        b"{",
        b"}"
    );

    #[inline]
    fn end_object_key<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        Ok(())
    }

    #[inline]
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.pretty { b": " } else { b":" })
    }
}

/// `value` as JSON text: serde_json's compact layout, or with `pretty` its pretty layout
/// (byte for byte `serde_json::to_string_pretty`).
pub(crate) fn to_text<T: Serialize + ?Sized>(
    value: &T,
    pretty: bool,
) -> Result<String, serde_json::Error> {
    write_text(value, pretty, 1 << 16)
}

/// A list of documents as JSON text (see [`to_text`]), written into a buffer sized from the
/// first document: growing a buffer of tens of megabytes by doubling copies it several times.
pub(crate) fn list_to_text<T: Serialize>(
    items: &[T],
    pretty: bool,
) -> Result<String, serde_json::Error> {
    let estimate = match items.first() {
        Some(first) if items.len() > 1 => {
            let one = write_text(first, pretty, 1 << 12)?.len();
            one.saturating_add(one / 8).saturating_mul(items.len())
        }
        _ => 1 << 12,
    };
    write_text(items, pretty, estimate)
}

fn write_text<T: Serialize + ?Sized>(
    value: &T,
    pretty: bool,
    capacity: usize,
) -> Result<String, serde_json::Error> {
    let layout = Layout {
        pretty,
        depth: 0,
        has_value: false,
    };
    // An estimate that does not fit the memory left is no error: the buffer then grows as
    // needed (and fails only if the text itself does not fit).
    let mut buf = Vec::new();
    if buf.try_reserve_exact(capacity).is_err() {
        buf = Vec::with_capacity(1 << 12);
    }
    // The writer by value: `&mut Out` would add `Write for &mut W`'s forwarding call per piece.
    let mut ser = serde_json::Serializer::with_formatter(Out(buf), layout);
    value.serialize(&mut ser)?;
    // serde_json writes valid UTF-8 only.
    String::from_utf8(ser.into_inner().0).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// The output buffer, with `write_all` inlined into the writer's callers (one call less per
/// piece in the size-optimised module, where `#[inline]` alone is not followed).
struct Out(Vec<u8>);

impl io::Write for Out {
    #[inline(always)]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    #[inline(always)]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{list_to_text, to_text};
    use serde_json::json;

    /// Both layouts equal serde_json's own, on documents with empty and nested containers
    /// deeper than the indentation buffer.
    #[test]
    fn layouts_equal_serde_json() {
        let mut deep = json!("leaf");
        for k in 0..40 {
            deep = if k % 3 == 0 {
                json!([deep, [], {}, 1.5, null])
            } else {
                json!({ "k": deep, "e": {}, "a": [], "s": "x\"y\n" })
            };
        }
        let docs = [
            json!(null),
            json!([]),
            json!({}),
            json!([[]]),
            json!([{}]),
            json!({"a": []}),
            json!({"a": {}, "b": [1, 2, {"c": [null, true, "é"]}]}),
            deep,
        ];
        for v in &docs {
            assert_eq!(
                to_text(v, false).unwrap(),
                serde_json::to_string(v).unwrap()
            );
            assert_eq!(
                to_text(v, true).unwrap(),
                serde_json::to_string_pretty(v).unwrap()
            );
        }
        // Lists written into a buffer sized from their first item: the same text.
        for list in [&docs[..0], &docs[..1], &docs[..]] {
            for pretty in [false, true] {
                assert_eq!(
                    list_to_text(list, pretty).unwrap(),
                    to_text(list, pretty).unwrap()
                );
            }
        }
    }
}
