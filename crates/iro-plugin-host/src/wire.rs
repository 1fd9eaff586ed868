//! The worker's table encoding: a record batch as its schema (JSON) and its
//! columns' Arrow buffers, little-endian, for the column types of the data
//! contract only (Utf8, Int32, UInt32, Int64, Float64, Boolean, Date32).
//!
//! Why not Arrow IPC: the wire is private between `iro` and its own
//! `iro plugin-worker` (the same binary), so interoperability buys nothing,
//! while `arrow-ipc` pulls in `arrow-select` and `arrow-cmp`, about three CPU
//! minutes of compilation per profile on the CI machine (more than the rest of
//! the plugin crates together). Swapping IPC back in means replacing
//! [`encode_batch`] and [`decode_batch`].
//!
//! ```text
//! batch  = frame(schema JSON) u64(rows) column*
//! column = u8(has_nulls) [validity bitmap, ceil(rows/8) bytes] values
//! values = Utf8: u32 offsets × (rows+1), frame(bytes)
//!          Int32, UInt32, Date32: 4 bytes × rows; Int64, Float64: 8 × rows
//!          Boolean: bitmap, ceil(rows/8) bytes
//! frame  = u64(length) bytes
//! ```
//!
//! Decoding never trusts a length or an offset: it reads through bounds
//! checks and builds arrays with arrow's safe constructors (UTF-8 checked).

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    RecordBatchOptions, StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct WireSchema {
    fields: Vec<(String, String, bool)>,
    metadata: BTreeMap<String, String>,
}

fn type_name(t: &DataType) -> Option<&'static str> {
    Some(match t {
        DataType::Utf8 => "Utf8",
        DataType::Int32 => "Int32",
        DataType::UInt32 => "UInt32",
        DataType::Int64 => "Int64",
        DataType::Float64 => "Float64",
        DataType::Boolean => "Boolean",
        DataType::Date32 => "Date32",
        _ => return None,
    })
}

fn type_of(name: &str) -> Option<DataType> {
    Some(match name {
        "Utf8" => DataType::Utf8,
        "Int32" => DataType::Int32,
        "UInt32" => DataType::UInt32,
        "Int64" => DataType::Int64,
        "Float64" => DataType::Float64,
        "Boolean" => DataType::Boolean,
        "Date32" => DataType::Date32,
        _ => return None,
    })
}

pub(crate) fn write_frame(w: &mut Vec<u8>, bytes: &[u8]) {
    w.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    w.extend_from_slice(bytes);
}

fn bitmap(len: usize, bit: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut out = vec![0u8; len.div_ceil(8)];
    for i in 0..len {
        if bit(i) {
            out[i / 8] |= 1 << (i % 8);
        }
    }
    out
}

fn downcast<'a, T: 'static>(c: &'a ArrayRef, name: &str) -> Result<&'a T, String> {
    c.as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| format!("column `{name}`: unexpected array type"))
}

/// Encodes a batch whose columns all have contract types.
pub(crate) fn encode_batch(batch: &RecordBatch) -> Result<Vec<u8>, String> {
    let schema = batch.schema();
    let mut fields = Vec::new();
    for f in schema.fields() {
        let t = type_name(f.data_type()).ok_or_else(|| {
            format!(
                "column `{}` has type {}, which the data contract does not use",
                f.name(),
                f.data_type()
            )
        })?;
        fields.push((f.name().clone(), t.to_string(), f.is_nullable()));
    }
    let ws = WireSchema {
        fields,
        metadata: schema
            .metadata()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let mut out = Vec::new();
    write_frame(
        &mut out,
        &serde_json::to_vec(&ws).map_err(|e| e.to_string())?,
    );
    let rows = batch.num_rows();
    out.extend_from_slice(&(rows as u64).to_le_bytes());
    for (f, c) in schema.fields().iter().zip(batch.columns()) {
        let name = f.name();
        if c.null_count() > 0 {
            out.push(1);
            out.extend_from_slice(&bitmap(rows, |i| c.is_valid(i)));
        } else {
            out.push(0);
        }
        match f.data_type() {
            DataType::Utf8 => {
                let a = downcast::<StringArray>(c, name)?;
                let mut bytes = Vec::new();
                out.extend_from_slice(&0u32.to_le_bytes());
                for i in 0..rows {
                    if a.is_valid(i) {
                        bytes.extend_from_slice(a.value(i).as_bytes());
                    }
                    let end = u32::try_from(bytes.len())
                        .map_err(|_| format!("column `{name}` holds more than 4 GiB"))?;
                    out.extend_from_slice(&end.to_le_bytes());
                }
                write_frame(&mut out, &bytes);
            }
            DataType::Int32 => {
                for v in downcast::<Int32Array>(c, name)?.values() {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            DataType::Date32 => {
                for v in downcast::<Date32Array>(c, name)?.values() {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            DataType::UInt32 => {
                for v in downcast::<UInt32Array>(c, name)?.values() {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            DataType::Int64 => {
                for v in downcast::<Int64Array>(c, name)?.values() {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            DataType::Float64 => {
                for v in downcast::<Float64Array>(c, name)?.values() {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            DataType::Boolean => {
                let a = downcast::<BooleanArray>(c, name)?;
                out.extend_from_slice(&bitmap(rows, |i| a.value(i)));
            }
            other => return Err(format!("column `{name}` has type {other}")),
        }
    }
    Ok(out)
}

struct Reader<'a>(Cursor<&'a [u8]>);

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.0.get_ref().len() - (self.0.position() as usize).min(self.0.get_ref().len())
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, String> {
        if n > self.remaining() {
            return Err("truncated".into());
        }
        let mut v = vec![0u8; n];
        self.0.read_exact(&mut v).map_err(|e| e.to_string())?;
        Ok(v)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.bytes(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, String> {
        let b = self.bytes(8)?;
        Ok(u64::from_le_bytes(b.try_into().map_err(|_| "truncated")?))
    }

    fn frame(&mut self) -> Result<Vec<u8>, String> {
        let n = usize::try_from(self.u64()?).map_err(|_| "frame too large")?;
        self.bytes(n)
    }

    /// `n` little-endian values of `W` bytes.
    fn fixed<const W: usize, T>(
        &mut self,
        n: usize,
        f: impl Fn([u8; W]) -> T,
    ) -> Result<Vec<T>, String> {
        let total = n.checked_mul(W).ok_or("too many values")?;
        let b = self.bytes(total)?;
        Ok(b.chunks_exact(W)
            .map(|c| {
                let mut a = [0u8; W];
                a.copy_from_slice(c);
                f(a)
            })
            .collect())
    }

    fn bitmap(&mut self, n: usize) -> Result<Vec<bool>, String> {
        let b = self.bytes(n.div_ceil(8))?;
        Ok((0..n).map(|i| b[i / 8] & (1 << (i % 8)) != 0).collect())
    }
}

fn with_nulls<T>(values: Vec<T>, valid: &Option<Vec<bool>>) -> Vec<Option<T>> {
    match valid {
        None => values.into_iter().map(Some).collect(),
        Some(v) => values
            .into_iter()
            .zip(v)
            .map(|(x, ok)| ok.then_some(x))
            .collect(),
    }
}

/// Decodes what [`encode_batch`] wrote.
pub(crate) fn decode_batch(bytes: &[u8]) -> Result<RecordBatch, String> {
    let mut r = Reader(Cursor::new(bytes));
    let ws: WireSchema = serde_json::from_slice(&r.frame()?).map_err(|e| format!("schema: {e}"))?;
    let rows = usize::try_from(r.u64()?).map_err(|_| "too many rows")?;
    // Every row takes at least one bit per column: a cheap guard against a
    // corrupt count before anything is allocated.
    if !ws.fields.is_empty() && rows.div_ceil(8) > r.remaining() {
        return Err(format!("{rows} rows in {} bytes", r.remaining()));
    }
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (name, ty, nullable) in &ws.fields {
        let t = type_of(ty).ok_or_else(|| format!("column `{name}`: unknown type {ty}"))?;
        let valid = match r.u8()? {
            0 => None,
            1 => Some(r.bitmap(rows)?),
            _ => return Err(format!("column `{name}`: bad null flag")),
        };
        let col: ArrayRef = match t {
            DataType::Utf8 => {
                let offsets = r.fixed::<4, _>(rows + 1, u32::from_le_bytes)?;
                let data = r.frame()?;
                if offsets.first() != Some(&0)
                    || offsets.windows(2).any(|w| w[0] > w[1])
                    || offsets.last().is_some_and(|&e| e as usize != data.len())
                {
                    return Err(format!("column `{name}`: bad offsets"));
                }
                let mut values = Vec::with_capacity(rows);
                for w in offsets.windows(2) {
                    let s = std::str::from_utf8(&data[w[0] as usize..w[1] as usize])
                        .map_err(|_| format!("column `{name}`: not UTF-8"))?;
                    values.push(s);
                }
                Arc::new(StringArray::from(with_nulls(values, &valid)))
            }
            DataType::Int32 => Arc::new(Int32Array::from(with_nulls(
                r.fixed::<4, _>(rows, i32::from_le_bytes)?,
                &valid,
            ))),
            DataType::Date32 => Arc::new(Date32Array::from(with_nulls(
                r.fixed::<4, _>(rows, i32::from_le_bytes)?,
                &valid,
            ))),
            DataType::UInt32 => Arc::new(UInt32Array::from(with_nulls(
                r.fixed::<4, _>(rows, u32::from_le_bytes)?,
                &valid,
            ))),
            DataType::Int64 => Arc::new(Int64Array::from(with_nulls(
                r.fixed::<8, _>(rows, i64::from_le_bytes)?,
                &valid,
            ))),
            DataType::Float64 => Arc::new(Float64Array::from(with_nulls(
                r.fixed::<8, _>(rows, f64::from_le_bytes)?,
                &valid,
            ))),
            DataType::Boolean => Arc::new(BooleanArray::from(with_nulls(r.bitmap(rows)?, &valid))),
            _ => return Err(format!("column `{name}`: unsupported type")),
        };
        fields.push(Field::new(name, t, *nullable));
        columns.push(col);
    }
    let schema = Schema::new(fields)
        .with_metadata(ws.metadata.into_iter().collect::<arrow_schema::Metadata>());
    RecordBatch::try_new_with_options(
        Arc::new(schema),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("s", DataType::Utf8, true),
            Field::new("i", DataType::Int32, false),
            Field::new("u", DataType::UInt32, false),
            Field::new("l", DataType::Int64, true),
            Field::new("f", DataType::Float64, true),
            Field::new("b", DataType::Boolean, true),
            Field::new("d", DataType::Date32, true),
        ])
        .with_metadata([("k", "v")].into_iter().collect::<arrow_schema::Metadata>());
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec![
                    Some("é"),
                    None,
                    Some(""),
                    Some("xyz"),
                ])),
                Arc::new(Int32Array::from(vec![1, -2, 3, 4])),
                Arc::new(UInt32Array::from(vec![1, 2, 3, u32::MAX])),
                Arc::new(Int64Array::from(vec![
                    Some(i64::MIN),
                    None,
                    Some(0),
                    Some(7),
                ])),
                Arc::new(Float64Array::from(vec![
                    Some(0.5),
                    Some(f64::NAN),
                    None,
                    Some(-1.0),
                ])),
                Arc::new(BooleanArray::from(vec![
                    Some(true),
                    None,
                    Some(false),
                    Some(true),
                ])),
                Arc::new(Date32Array::from(vec![
                    Some(19_000),
                    None,
                    Some(-1),
                    Some(0),
                ])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn round_trips_every_contract_type() {
        let b = batch();
        let back = decode_batch(&encode_batch(&b).unwrap()).unwrap();
        assert_eq!(back.schema(), b.schema());
        for (x, y) in back.columns().iter().zip(b.columns()) {
            // NaN != NaN: compare the encodings instead.
            assert_eq!(format!("{x:?}"), format!("{y:?}"));
        }
        // A slice (non-zero offsets) encodes what it shows.
        let s = b.slice(1, 2);
        let back = decode_batch(&encode_batch(&s).unwrap()).unwrap();
        assert_eq!(back.num_rows(), 2);
        assert_eq!(
            format!("{:?}", back.column(0)),
            format!("{:?}", s.column(0))
        );
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        let good = encode_batch(&batch()).unwrap();
        for cut in [0, 3, 10, good.len() / 2, good.len() - 1] {
            assert!(decode_batch(&good[..cut]).is_err(), "cut at {cut}");
        }
        for i in (0..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[i] ^= 0xa5;
            let _ = decode_batch(&bad);
        }
        let empty = RecordBatch::new_empty(Arc::new(Schema::new(vec![Field::new(
            "s",
            DataType::Utf8,
            false,
        )])));
        assert_eq!(
            decode_batch(&encode_batch(&empty).unwrap())
                .unwrap()
                .num_rows(),
            0
        );
    }
}
