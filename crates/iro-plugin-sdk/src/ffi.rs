//! Moving record batches across the boundary as Arrow C Data Interface structs.
//! Shared by the plugin side (the shims `export_plugin!` generates), the host,
//! and the in-process test runner.
//!
//! `iro-plugin-abi` declares its own `ArrowSchema`/`ArrowArray` structs so that
//! it stays dependency-free; they are the same C structs as arrow-rs's
//! `FFI_ArrowSchema`/`FFI_ArrowArray` (checked below at compile time), so a
//! pointer to one is a pointer to the other.

use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::{Array, RecordBatch, StructArray};
use arrow_schema::{ArrowError, DataType, Schema};
use iro_plugin_abi as abi;

const _: () = {
    assert!(size_of::<FFI_ArrowArray>() == size_of::<abi::ArrowArray>());
    assert!(align_of::<FFI_ArrowArray>() == align_of::<abi::ArrowArray>());
    assert!(size_of::<FFI_ArrowSchema>() == size_of::<abi::ArrowSchema>());
    assert!(align_of::<FFI_ArrowSchema>() == align_of::<abi::ArrowSchema>());
};

/// A record batch exported for one call: owns its C structs (boxed, so their
/// addresses are stable while this value is moved around).
#[derive(Debug)]
pub struct ExportedTable {
    name: String,
    schema: Box<FFI_ArrowSchema>,
    array: Box<FFI_ArrowArray>,
}

impl ExportedTable {
    /// Exports `batch` (zero-copy: the buffers are shared by reference count)
    /// with `extra` added to its schema metadata.
    pub fn new(
        name: &str,
        batch: &RecordBatch,
        extra: &[(&str, &str)],
    ) -> Result<Self, ArrowError> {
        let mut metadata = batch.schema().metadata().clone();
        for (k, v) in extra {
            metadata.insert(*k, *v);
        }
        let schema = Schema::new(batch.schema().fields().clone()).with_metadata(metadata);
        let data = StructArray::from(batch.clone()).into_data();
        Ok(ExportedTable {
            name: name.to_string(),
            schema: Box::new(FFI_ArrowSchema::try_from(&schema)?),
            array: Box::new(FFI_ArrowArray::new(&data)),
        })
    }

    /// The ABI view; the pointers are valid while `self` is alive. The callee
    /// may move the array out (leaving it released); dropping `self` releases
    /// whatever is left.
    pub fn as_abi(&mut self) -> abi::IroTable {
        abi::IroTable {
            name: abi::IroStr::new(&self.name),
            schema: schema_ptr(&self.schema),
            array: array_ptr(&mut self.array),
        }
    }
}

/// A pointer to arrow-rs's schema struct as the ABI's.
pub fn schema_ptr(s: &FFI_ArrowSchema) -> *const abi::ArrowSchema {
    (s as *const FFI_ArrowSchema).cast()
}

/// A mutable pointer to arrow-rs's schema struct as the ABI's.
pub fn schema_ptr_mut(s: &mut FFI_ArrowSchema) -> *mut abi::ArrowSchema {
    (s as *mut FFI_ArrowSchema).cast()
}

/// A pointer to arrow-rs's array struct as the ABI's.
pub fn array_ptr(a: &mut FFI_ArrowArray) -> *mut abi::ArrowArray {
    (a as *mut FFI_ArrowArray).cast()
}

/// Imports a struct array and its schema as a record batch, **moving** the
/// array out of `array` (its `release` is set to NULL there) and validating it
/// fully: Arrow validity (`validate_full`), a struct type matching the schema,
/// no top-level nulls. The schema stays owned by the caller.
///
/// # Safety
/// `schema` and `array` must be NULL or point to properly aligned, initialised
/// Arrow C Data Interface structs that follow the C Data Interface rules.
pub unsafe fn import_batch(
    schema: *const abi::ArrowSchema,
    array: *mut abi::ArrowArray,
) -> Result<RecordBatch, String> {
    if schema.is_null() || array.is_null() {
        return Err("NULL schema or array".into());
    }
    // SAFETY: non-null, and points to an initialised ArrowSchema per the
    // caller's contract.
    let raw_schema = unsafe { &*schema };
    if raw_schema.release.is_none() || raw_schema.format.is_null() {
        return Err("the schema was not filled in (released, or no format)".into());
    }
    // SAFETY: same C struct layout (checked at compile time above); the
    // schema is live (release set) per the check above.
    let ffi_schema = unsafe { &*schema.cast::<FFI_ArrowSchema>() };
    let arrow_schema = Schema::try_from(ffi_schema).map_err(|e| format!("schema: {e}"))?;
    // SAFETY: same layout; `from_raw` moves the struct out and leaves a
    // released one behind, so it is released exactly once (by our drop).
    let ffi_array = unsafe { FFI_ArrowArray::from_raw(array.cast::<FFI_ArrowArray>()) };
    if ffi_array.is_released() {
        return Err("the array was not filled in (released)".into());
    }
    // SAFETY: the producer promises C Data Interface conformance; the result
    // is validated in full before anything reads it.
    let data = unsafe { from_ffi(ffi_array, ffi_schema) }.map_err(|e| format!("import: {e}"))?;
    data.validate_full()
        .map_err(|e| format!("invalid Arrow data: {e}"))?;
    let want = DataType::Struct(arrow_schema.fields().clone());
    if data.data_type() != &want {
        return Err(format!(
            "array type {} does not match its schema {want}",
            data.data_type()
        ));
    }
    let sa = StructArray::from(data);
    if sa.null_count() > 0 {
        return Err("the table has null rows".into());
    }
    let (_, columns, _) = sa.into_parts();
    RecordBatch::try_new(Arc::new(arrow_schema), columns).map_err(|e| format!("record batch: {e}"))
}

/// Writes `batch` into the caller's output structs as a struct array.
///
/// # Safety
/// `out_schema` and `out_array` must be valid for writes and hold released
/// (empty) structs: whatever they held is overwritten without being released.
pub unsafe fn export_batch(
    batch: &RecordBatch,
    out_schema: *mut abi::ArrowSchema,
    out_array: *mut abi::ArrowArray,
) -> Result<(), ArrowError> {
    if out_schema.is_null() || out_array.is_null() {
        return Err(ArrowError::CDataInterface(
            "NULL output pointers".to_string(),
        ));
    }
    let schema = FFI_ArrowSchema::try_from(batch.schema().as_ref())?;
    let array = FFI_ArrowArray::new(&StructArray::from(batch.clone()).into_data());
    // SAFETY: both pointers are non-null and valid for writes per the caller's
    // contract; the layouts are the same (checked above). Ownership passes to
    // the caller, who releases them.
    unsafe {
        std::ptr::write(out_schema.cast::<FFI_ArrowSchema>(), schema);
        std::ptr::write(out_array.cast::<FFI_ArrowArray>(), array);
    }
    Ok(())
}

/// Releases an output pair the callee may have filled in spite of an error.
///
/// # Safety
/// Both must point to initialised (possibly released) C structs.
pub unsafe fn release_pair(schema: *mut abi::ArrowSchema, array: *mut abi::ArrowArray) {
    // SAFETY: per the caller's contract; `from_raw` moves each out, and the
    // drop calls `release` when it is set.
    unsafe {
        if !array.is_null() {
            drop(FFI_ArrowArray::from_raw(array.cast::<FFI_ArrowArray>()));
        }
        if !schema.is_null() {
            drop(std::ptr::replace(
                schema.cast::<FFI_ArrowSchema>(),
                FFI_ArrowSchema::empty(),
            ));
        }
    }
}

/// Exports tables for one call with the contract's schema metadata.
pub fn export_tables(
    tables: &[(String, RecordBatch)],
    la_code: &str,
    year: i32,
) -> Result<Vec<ExportedTable>, String> {
    let year = year.to_string();
    tables
        .iter()
        .map(|(name, batch)| {
            ExportedTable::new(
                name,
                batch,
                &[
                    (abi::metadata::TABLE, name),
                    (abi::metadata::LA_CODE, la_code),
                    (abi::metadata::COLLECTION_YEAR, &year),
                    (abi::metadata::DATA_CONTRACT, abi::DATA_CONTRACT),
                ],
            )
            .map_err(|e| format!("exporting `{name}`: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int32Array, StringArray};
    use arrow_schema::Field;

    #[test]
    fn round_trip_moves_and_validates() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int32, false),
            Field::new("b", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int32Array::from(vec![1, 2])),
                Arc::new(StringArray::from(vec![Some("x"), None])),
            ],
        )
        .unwrap();
        let mut t = ExportedTable::new("t", &batch, &[("k", "v")]).unwrap();
        let abi_t = t.as_abi();
        // SAFETY: the pointers come from a live ExportedTable.
        let back = unsafe { import_batch(abi_t.schema, abi_t.array) }.unwrap();
        assert_eq!(back.num_rows(), 2);
        assert_eq!(back.schema().metadata()["k"], "v");
        // Moved: a second import finds it released.
        // SAFETY: as above.
        let again = unsafe { import_batch(abi_t.schema, abi_t.array) };
        assert!(again.unwrap_err().contains("released"));

        let mut s = FFI_ArrowSchema::empty();
        let mut a = FFI_ArrowArray::empty();
        // SAFETY: empty structs, valid for writes.
        unsafe { export_batch(&batch, schema_ptr_mut(&mut s), array_ptr(&mut a)) }.unwrap();
        // SAFETY: just filled in.
        let back = unsafe { import_batch(schema_ptr(&s), array_ptr(&mut a)) }.unwrap();
        assert_eq!(back.column(0).len(), 2);
    }
}
