//! The documents as JSON text, compact (for `JSON.parse`) or pretty (`assessCsvJson`, the CLI's
//! `--format json` bytes).
//!
//! One formatter type decides the layout at run time: with serde_json's two formatter types,
//! every document's serializer would be compiled twice into the module (size budget, issue 6).

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io;

/// Compact when `pretty` is `None`, otherwise serde_json's pretty layout (two-space indent).
struct Layout {
    pretty: Option<PrettyFormatter<'static>>,
}

/// Calls the pretty formatter's method, or the compact one's.
macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            #[inline]
            fn $name<W: ?Sized + io::Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
                match &mut self.pretty {
                    Some(p) => p.$name(writer $(, $arg)*),
                    None => CompactFormatter.$name(writer $(, $arg)*),
                }
            }
        )*
    };
}

impl Formatter for Layout {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }
}

/// `value` as JSON text: serde_json's compact layout, or with `pretty` its pretty layout
/// (byte for byte `serde_json::to_string_pretty`).
pub(crate) fn to_text<T: Serialize + ?Sized>(
    value: &T,
    pretty: bool,
) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(1 << 16);
    let layout = Layout {
        pretty: pretty.then(PrettyFormatter::new),
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, layout,
    ))?;
    // serde_json writes valid UTF-8 only.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}
