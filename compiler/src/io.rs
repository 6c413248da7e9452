//! The JSON data files users hand zkc: `{"input_data": [[...], ...]}` in, `{"output_data": ...}` out.
//!
//! One row-major flattened list per graph input/output, in graph order: the layout EZKL
//! users already have.

use std::path::Path;

use serde::{Deserialize, Serialize};
use zkc_ir::{Graph, Tensor};

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
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct OutputFile {
    /// One flattened list per output.
    pub output_data: Vec<Vec<f64>>,
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
    fn strings_are_refused_with_the_input_named() {
        let e = parse_input_lists(r#"{"input_data": [[1], ["x"]]}"#, "in.json").unwrap_err();
        assert!(e.to_string().contains("input 1"), "{e}");
    }
}
