//! Reshape to a resolved shape (the importer resolves 0 and -1).

use super::{OpError, OpResult};
use crate::tensor::numel;

/// Checks that the element count is unchanged.
pub fn shape(target: &[usize], x: &[usize]) -> OpResult<Vec<usize>> {
    if numel(target) != numel(x) {
        return Err(OpError::new(format!(
            "cannot reshape {x:?} ({} elements) to {target:?} ({} elements)",
            numel(x),
            numel(target)
        )));
    }
    Ok(target.to_vec())
}

#[cfg(test)]
mod tests {
    #[test]
    fn element_count_must_match() {
        assert_eq!(super::shape(&[6], &[2, 3]).unwrap(), vec![6]);
        assert!(super::shape(&[5], &[2, 3]).is_err());
    }
}
