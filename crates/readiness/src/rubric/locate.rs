//! Where a rubric document fails to deserialize: the path of the first offending value.
//!
//! The rubric is deserialized straight from its `serde_json::Value`; only when that fails is the
//! error located, by walking the document in deserialization order (object keys in document
//! order, array items in index order) and asking each value's own `Deserialize` whether it
//! fails. The first value that fails and whose own parts all deserialize is where the error was
//! raised. This reports the paths a path-tracking deserializer (`serde_path_to_error`) reports,
//! with none of its per-type wrapper code (WebAssembly size budget, issue 6); the crate's tests
//! compare the two on thousands of broken documents.
//!
//! Path syntax: object keys joined with `.`, array indexes as `[i]` (`dimensions[1].weight`);
//! an unknown key ends the path (the caller reports its parent); an enum written as a
//! one-key object adds its variant name when the variant's value is the problem.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Whether `T` fails to deserialize from `v`.
pub(super) fn fails<T: DeserializeOwned>(v: &Value) -> bool {
    T::deserialize(v).is_err()
}

/// A type of the rubric model as far as locating errors needs it.
pub(super) struct Node {
    /// Whether the type fails to deserialize from a value.
    pub fails: fn(&Value) -> bool,
    /// How its values are made of other values.
    pub shape: Shape,
}

/// How a type's values are made of other values.
pub(super) enum Shape {
    /// Read whole: numbers, strings, `Option`s of them, untagged enums, custom `Deserialize`
    /// impls.
    Leaf,
    /// A struct with `deny_unknown_fields`: its fields in declaration order.
    Struct(&'static [(&'static str, &'static Node)]),
    /// `Vec<T>`.
    Seq(&'static Node),
    /// A map with string keys (`IndexMap<String, T>`).
    Map(&'static Node),
    /// An enum of unit variants (a string, or a one-key object `{variant: null}`).
    UnitEnum,
}

/// The path of the first value in `v` where `node`'s type fails to deserialize, appended to
/// `path`. Call it only for a value that fails.
pub(super) fn locate(node: &Node, v: &Value, path: &mut String) {
    match (&node.shape, v) {
        (Shape::Struct(fields), Value::Object(map)) => {
            for (k, x) in map {
                match fields.iter().find(|(name, _)| *name == k.as_str()) {
                    Some((_, f)) if (f.fails)(x) => return descend_key(f, x, k, path),
                    Some(_) => {}
                    // deny_unknown_fields: the error is raised on the key.
                    None => return push_key(path, k),
                }
            }
        }
        // serde's derived structs also read arrays, field by field.
        (Shape::Struct(fields), Value::Array(items)) => {
            for (i, (x, (_, f))) in items.iter().zip(fields.iter()).enumerate() {
                if (f.fails)(x) {
                    return descend_index(f, x, i, path);
                }
            }
        }
        (Shape::Seq(item), Value::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                if (item.fails)(x) {
                    return descend_index(item, x, i, path);
                }
            }
        }
        (Shape::Map(item), Value::Object(map)) => {
            for (k, x) in map {
                if (item.fails)(x) {
                    return descend_key(item, x, k, path);
                }
            }
        }
        (Shape::UnitEnum, Value::Object(map)) if map.len() == 1 => {
            if let Some((variant, _)) = map.iter().next() {
                // A known variant with a value other than null: the error names the variant.
                if !(node.fails)(&Value::String(variant.clone())) {
                    push_key(path, variant);
                }
            }
        }
        _ => {}
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn descend_key(node: &Node, v: &Value, key: &str, path: &mut String) {
    push_key(path, key);
    locate(node, v, path);
}

fn descend_index(node: &Node, v: &Value, i: usize, path: &mut String) {
    path.push('[');
    path.push_str(&i.to_string());
    path.push(']');
    locate(node, v, path);
}
