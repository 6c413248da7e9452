//! The JSON data files users hand zkc: `{"input_data": [[...], ...]}` in, `{"output_data": ...}` out.
//!
//! One row-major flattened list per graph input/output, in graph order: the layout EZKL
//! users already have.

use std::path::Path;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zkc_ir::{Graph, NumberKind, Tensor};

/// Why a data file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Unreadable file.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Not the expected JSON.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong and what was expected.
        reason: String,
    },
}

#[derive(Deserialize)]
struct InputFile {
    input_data: Vec<Vec<serde_json::Value>>,
}

/// The `{"output_data": ...}` file.
#[derive(Deserialize, Debug, Clone, PartialEq, Default)]
pub struct OutputFile {
    /// One flattened list per output.
    #[serde(deserialize_with = "numbers_or_booleans")]
    pub output_data: Vec<Vec<f64>>,
    /// What each output holds (not stored as such: an integer output is written as JSON
    /// integers and a boolean one as true/false, the way IN.json takes them; missing = real).
    #[serde(skip)]
    pub kinds: Vec<NumberKind>,
}

impl OutputFile {
    /// The same file, writing each output as the model declares it.
    pub fn with_kinds(mut self, kinds: &[NumberKind]) -> Self {
        self.kinds = kinds.to_vec();
        self
    }
}

/// One output's values as JSON: integers and booleans as such when every value is one
/// (a value that is not, say a NaN, keeps the whole list as numbers, so nothing is lost).
fn typed_values(values: &[f64], kind: NumberKind) -> Vec<serde_json::Value> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: f64 integers beyond it are not exact.
    match kind {
        NumberKind::Integer if values.iter().all(|v| v.fract() == 0.0 && v.abs() <= EXACT) => {
            values.iter().map(|&v| serde_json::Value::from(v as i64)).collect()
        }
        NumberKind::Bool if values.iter().all(|&v| v == 0.0 || v == 1.0) => {
            values.iter().map(|&v| serde_json::Value::Bool(v == 1.0)).collect()
        }
        _ => values.iter().map(|&v| serde_json::Value::from(v)).collect(),
    }
}

impl Serialize for OutputFile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let data: Vec<Vec<serde_json::Value>> = self
            .output_data
            .iter()
            .enumerate()
            .map(|(i, values)| typed_values(values, self.kinds.get(i).copied().unwrap_or_default()))
            .collect();
        let mut st = s.serialize_struct("OutputFile", 1)?;
        st.serialize_field("output_data", &data)?;
        st.end()
    }
}

/// Reads `output_data` lists of numbers or booleans (true = 1, false = 0), as IN.json's, and
/// null, which is how a NaN output is written, as NaN.
fn numbers_or_booleans<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
    let lists: Vec<Vec<serde_json::Value>> = Vec::deserialize(d)?;
    lists
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut v = Vec::with_capacity(row.len());
            row.iter()
                .try_for_each(|x| match x {
                    serde_json::Value::Null => {
                        v.push(f64::NAN);
                        Ok(())
                    }
                    x => flatten(x, &mut v),
                })
                .map_err(|e| serde::de::Error::custom(format!("output {i}: {e}")))?;
            Ok(v)
        })
        .collect()
}

fn flatten(v: &serde_json::Value, out: &mut Vec<f64>) -> Result<(), String> {
    match v {
        serde_json::Value::Number(n) => {
            out.push(n.as_f64().ok_or_else(|| format!("{n} is not a finite number"))?);
            Ok(())
        }
        serde_json::Value::Array(a) => a.iter().try_for_each(|x| flatten(x, out)),
        // Boolean tensors (masks, conditions) as ONNX stores them: true = 1, false = 0.
        serde_json::Value::Bool(b) => {
            out.push(f64::from(u8::from(*b)));
            Ok(())
        }
        other => Err(format!("expected a number or a boolean, found {other}")),
    }
}

/// Parses one input file's text into flat lists (one per input), checking only the JSON form.
pub fn parse_input_lists(text: &str, path: &str) -> Result<Vec<Vec<f64>>, DataError> {
    let fmt = |reason: String| DataError::Format {
        path: path.to_string(),
        reason,
    };
    let f: InputFile = serde_json::from_str(text).map_err(|e| {
        fmt(format!(
            "not an input file ({e}); expected {{\"input_data\": [[...], ...]}} with one flat list per model input"
        ))
    })?;
    f.input_data
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut v = Vec::with_capacity(row.len());
            row.iter()
                .try_for_each(|x| flatten(x, &mut v))
                .map_err(|e| fmt(format!("input {i}: {e}")))?;
            Ok(v)
        })
        .collect()
}

/// Matches flat lists to the graph's inputs, with errors that name the input and size.
pub fn lists_to_tensors(lists: Vec<Vec<f64>>, graph: &Graph, path: &str) -> Result<Vec<Tensor>, DataError> {
    let fmt = |reason: String| DataError::Format {
        path: path.to_string(),
        reason,
    };
    if lists.len() != graph.inputs.len() {
        let names: Vec<String> = graph
            .inputs
            .iter()
            .map(|&i| format!("`{}` {:?}", graph.value(i).name, graph.value(i).shape))
            .collect();
        return Err(fmt(format!(
            "has {} input list(s) but the model has {} input(s): {}",
            lists.len(),
            graph.inputs.len(),
            names.join(", ")
        )));
    }
    lists
        .into_iter()
        .zip(&graph.inputs)
        .enumerate()
        .map(|(i, (data, &id))| {
            let v = graph.value(id);
            let want: usize = v.shape.iter().product();
            if data.len() != want {
                return Err(fmt(format!(
                    "input {i} `{}` has {} values but the model expects {want} (shape {:?})",
                    v.name,
                    data.len(),
                    v.shape
                )));
            }
            Ok(Tensor::new(v.shape.clone(), data))
        })
        .collect()
}

/// Reads IN.json for `graph`.
pub fn read_inputs(path: &Path, graph: &Graph) -> Result<Vec<Tensor>, DataError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: p.clone(),
        source,
    })?;
    lists_to_tensors(parse_input_lists(&text, &p)?, graph, &p)
}

/// Reads a samples file: either one input file or a JSON array of them.
pub fn read_samples(path: &Path, graph: &Graph) -> Result<Vec<Vec<Tensor>>, DataError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: p.clone(),
        source,
    })?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|e| DataError::Format {
            path: p.clone(),
            reason: format!("not a JSON array of input files: {e}"),
        })?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let lists = parse_input_lists(&item.to_string(), &format!("{p} sample {i}"))?;
                lists_to_tensors(lists, graph, &format!("{p} sample {i}"))
            })
            .collect()
    } else {
        Ok(vec![lists_to_tensors(parse_input_lists(&text, &p)?, graph, &p)?])
    }
}

/// The OUT.json form of output tensors.
pub fn outputs_file(outputs: &[Tensor]) -> OutputFile {
    OutputFile {
        output_data: outputs.iter().map(|t| t.data.clone()).collect(),
        kinds: Vec::new(),
    }
}

/// Reads an OUT.json file.
pub fn read_outputs(path: &Path) -> Result<OutputFile, DataError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: p.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| DataError::Format {
        path: p,
        reason: format!("not an output file ({e}); expected {{\"output_data\": [[...]]}}"),
    })
}

#[cfg(test)]
mod tests {
    use super::parse_input_lists;

    #[test]
    fn integers_and_booleans_are_values() {
        let lists = parse_input_lists(r#"{"input_data": [[1, -2, 3.5], [true, false, 1, 0]]}"#, "in.json").unwrap();
        assert_eq!(lists, vec![vec![1.0, -2.0, 3.5], vec![1.0, 0.0, 1.0, 0.0]]);
    }

    #[test]
    fn integer_and_boolean_outputs_are_written_as_such_and_read_back() {
        use zkc_ir::NumberKind::{Bool, Integer, Real};
        let file = super::OutputFile {
            output_data: vec![vec![1.0, -2.0], vec![1.0, 0.0], vec![2.0, 0.5], vec![3.0, 0.5]],
            kinds: vec![Integer, Bool, Real, Integer],
        };
        let text = serde_json::to_string(&file).unwrap();
        // The last one is declared integer but holds 0.5: kept as numbers, not truncated.
        assert_eq!(text, r#"{"output_data":[[1,-2],[true,false],[2.0,0.5],[3.0,0.5]]}"#);
        let back: super::OutputFile = serde_json::from_str(&text).unwrap();
        assert_eq!(back.output_data, file.output_data);
        // A NaN is written as null and read back as NaN.
        let nan = super::OutputFile {
            output_data: vec![vec![f64::NAN, 1.5]],
            kinds: vec![],
        };
        let text = serde_json::to_string(&nan).unwrap();
        assert_eq!(text, r#"{"output_data":[[null,1.5]]}"#);
        let back: super::OutputFile = serde_json::from_str(&text).unwrap();
        assert!(back.output_data[0][0].is_nan() && back.output_data[0][1] == 1.5);
    }

    #[test]
    fn strings_are_refused_with_the_input_named() {
        let e = parse_input_lists(r#"{"input_data": [[1], ["x"]]}"#, "in.json").unwrap_err();
        assert!(e.to_string().contains("input 1"), "{e}");
    }
}
