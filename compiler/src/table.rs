//! `zkc table`: one row per IR node, with the columns later stages fill in.

use zkc_ir::{ElemType, Graph};

/// Extra per-node columns supplied by later stages (quantization, backends).
#[derive(Default, Clone, Debug)]
pub struct Extra {
    /// Column headers.
    pub headers: Vec<String>,
    /// `cells[node][column]`.
    pub cells: Vec<Vec<String>>,
}

fn shape(s: &[usize]) -> String {
    format!("[{}]", s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(","))
}

/// The table as data: one row of cells per IR node, under `headers` (`zkc table --json`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rows {
    /// Column names: `#`, name, op, inputs, shapes, scale, bits, then the extra columns.
    pub headers: Vec<String>,
    /// One row per node, a cell per header.
    pub rows: Vec<Vec<String>>,
    /// Each graph input as `name [shape]`.
    pub inputs: Vec<String>,
    /// Each graph output as `name [shape]`.
    pub outputs: Vec<String>,
    /// The number of constant parameters (weights, biases, ...).
    pub params: usize,
}

/// The table's cells.
pub fn rows(g: &Graph, extra: &Extra) -> Rows {
    let mut headers: Vec<String> = ["#", "name", "op", "inputs", "in shapes", "out shape", "scale", "bits"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    headers.extend(extra.headers.iter().cloned());
    let mut rows = Vec::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let ins: Vec<String> = n
            .inputs
            .iter()
            .map(|&v| {
                let val = g.value(v);
                if val.constant.is_some() {
                    format!("{}(const)", val.name)
                } else {
                    val.name.clone()
                }
            })
            .collect();
        let in_shapes: Vec<String> = n.inputs.iter().map(|&v| shape(&g.value(v).shape)).collect();
        let out = g.value(n.output);
        let (scale, bits) = match out.ty {
            ElemType::Float => ("-".to_string(), "-".to_string()),
            ElemType::Fixed { scale, bits } => (scale.to_string(), bits.to_string()),
        };
        let mut row = vec![
            i.to_string(),
            n.name.clone(),
            n.op.name(),
            ins.join(" "),
            in_shapes.join(" "),
            shape(&out.shape),
            scale,
            bits,
        ];
        for c in 0..extra.headers.len() {
            row.push(
                extra
                    .cells
                    .get(i)
                    .and_then(|r| r.get(c))
                    .cloned()
                    .unwrap_or_else(|| "-".into()),
            );
        }
        rows.push(row);
    }
    let inputs: Vec<String> = g
        .inputs
        .iter()
        .map(|&v| format!("{} {}", g.value(v).name, shape(&g.value(v).shape)))
        .collect();
    let outputs: Vec<String> = g
        .outputs
        .iter()
        .map(|&v| format!("{} {}", g.value(v).name, shape(&g.value(v).shape)))
        .collect();
    let params: usize = g
        .values
        .iter()
        .filter_map(|v| v.constant.as_ref())
        .map(|t| t.len())
        .sum();
    Rows {
        headers,
        rows,
        inputs,
        outputs,
        params,
    }
}

/// Renders the table as aligned text.
pub fn render(g: &Graph, extra: &Extra) -> String {
    let Rows {
        headers,
        rows,
        inputs,
        outputs,
        params,
    } = rows(g, extra);
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', w - c.chars().count()));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&headers);
    for r in &rows {
        out.push_str(&line(r));
    }
    out.push_str(&format!(
        "inputs: {}\noutputs: {}\nnodes: {}, constant parameters: {params}\n",
        inputs.join(", "),
        outputs.join(", "),
        g.nodes.len()
    ));
    out
}
