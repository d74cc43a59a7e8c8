//! Grouping items linked by pairs (union–find), for near-duplicates and yearly events.

use std::collections::BTreeMap;

/// Disjoint sets over `0..n`; each set is named by its smallest member.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    pub fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.parent[ra.max(rb)] = ra.min(rb);
    }

    /// The sets, each in increasing member order, ordered by their smallest member.
    pub fn groups(mut self) -> Vec<Vec<usize>> {
        let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..self.parent.len() {
            let r = self.find(i);
            by_root.entry(r).or_default().push(i);
        }
        by_root.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_chain_and_groups_are_deterministic() {
        let mut u = UnionFind::new(6);
        u.union(4, 1);
        u.union(1, 3);
        u.union(5, 5);
        assert_eq!(u.groups(), vec![vec![0], vec![1, 3, 4], vec![2], vec![5]]);
    }
}
