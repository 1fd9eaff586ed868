//! Arrow schemas of the data contract, built from the lists in `iro-plugin-abi`
//! so that the SDK (reading), the host (writing and validating) and the docs
//! cannot drift apart.

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use iro_plugin_abi::{ColumnSpec, ColumnType, OUTPUT_COLUMNS, TableSpec};

/// The Arrow type of a contract column type.
pub fn data_type(t: ColumnType) -> DataType {
    match t {
        ColumnType::Utf8 => DataType::Utf8,
        ColumnType::Int32 => DataType::Int32,
        ColumnType::UInt32 => DataType::UInt32,
        ColumnType::Int64 => DataType::Int64,
        ColumnType::Float64 => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Date32 => DataType::Date32,
    }
}

/// The Arrow field of a contract column.
pub fn field(c: &ColumnSpec) -> Field {
    Field::new(c.name, data_type(c.ty), c.nullable)
}

/// The schema of an input table, with the given schema metadata.
pub fn table_schema(spec: &TableSpec, metadata: &[(&str, &str)]) -> Schema {
    Schema::new(spec.columns.iter().map(field).collect::<Vec<_>>())
        .with_metadata(metadata.iter().copied().collect::<arrow_schema::Metadata>())
}

/// The exact schema of the output table (no metadata).
pub fn output_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(Schema::new(
            OUTPUT_COLUMNS.iter().map(field).collect::<Vec<_>>(),
        ))
    })
    .clone()
}

/// Why `schema` is not exactly the output schema (names, order, types,
/// nullability; metadata is ignored), or `None`.
pub fn output_schema_mismatch(schema: &Schema) -> Option<String> {
    let want = output_schema();
    let got = schema.fields();
    if got.len() != want.fields().len() {
        return Some(format!(
            "{} columns, expected {} ({})",
            got.len(),
            want.fields().len(),
            want.fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (i, (g, w)) in got.iter().zip(want.fields().iter()).enumerate() {
        if g.name() != w.name() {
            return Some(format!(
                "column {} is `{}`, expected `{}`",
                i + 1,
                g.name(),
                w.name()
            ));
        }
        if g.data_type() != w.data_type() {
            return Some(format!(
                "column `{}` is {}, expected {}",
                w.name(),
                g.data_type(),
                w.data_type()
            ));
        }
        if g.is_nullable() != w.is_nullable() {
            return Some(format!(
                "column `{}` is declared {}, expected {}",
                w.name(),
                if g.is_nullable() {
                    "nullable"
                } else {
                    "not nullable"
                },
                if w.is_nullable() {
                    "nullable"
                } else {
                    "not nullable"
                }
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_schema_matches_itself_only() {
        assert_eq!(output_schema_mismatch(&output_schema()), None);
        let mut fields: Vec<Field> = output_schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields[5] = Field::new("numerator", DataType::UInt64, true);
        let e = output_schema_mismatch(&Schema::new(fields.clone())).unwrap();
        assert!(e.contains("numerator"), "{e}");
        fields.pop();
        assert!(output_schema_mismatch(&Schema::new(fields)).is_some());
    }
}
