//! The file graph (who imports whom) and its strongly connected components: every group of
//! files that reach each other through imports, a pair importing each other being the
//! smallest.

use std::collections::BTreeMap;

/// Why one file imports another: the first place it does, as `line: path`.
pub type Why = String;

/// `importer → imported → why`, files as `/`-separated paths.
#[derive(Debug, Default)]
pub struct Graph {
    /// The edges.
    pub edges: BTreeMap<String, BTreeMap<String, Why>>,
}

impl Graph {
    /// Records that `from` imports `to` (the first reason given is kept).
    pub fn add(&mut self, from: &str, to: &str, why: Why) {
        if from != to {
            self.edges
                .entry(from.to_owned())
                .or_default()
                .entry(to.to_owned())
                .or_insert(why);
        }
    }

    /// How many file-to-file imports there are.
    pub fn len(&self) -> usize {
        self.edges.values().map(BTreeMap::len).sum()
    }

    /// Every group of two or more files that import each other, directly or around a loop,
    /// each sorted, in file order.
    pub fn cycles(&self) -> Vec<Vec<String>> {
        let mut t = Tarjan {
            graph: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            next: 0,
            out: Vec::new(),
        };
        for node in self.edges.keys() {
            if !t.index.contains_key(node.as_str()) {
                t.visit(node);
            }
        }
        let mut out = t.out;
        for c in &mut out {
            c.sort();
        }
        out.sort();
        out
    }
}

/// Tarjan's algorithm (the graph is a few hundred files: recursion depth is no concern).
struct Tarjan<'a> {
    graph: &'a Graph,
    index: BTreeMap<&'a str, usize>,
    low: BTreeMap<&'a str, usize>,
    stack: Vec<&'a str>,
    next: usize,
    out: Vec<Vec<String>>,
}

impl<'a> Tarjan<'a> {
    fn visit(&mut self, v: &'a str) {
        self.index.insert(v, self.next);
        self.low.insert(v, self.next);
        self.next += 1;
        self.stack.push(v);
        if let Some(targets) = self.graph.edges.get(v) {
            for w in targets.keys() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
        }
        if self.low[v] == self.index[v] {
            let mut group = Vec::new();
            while let Some(w) = self.stack.pop() {
                group.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                self.out.push(group);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_loops_are_found_and_a_chain_is_not() {
        let mut g = Graph::default();
        for (a, b) in [
            ("a", "b"),
            ("b", "a"),
            ("c", "d"),
            ("d", "e"),
            ("e", "c"),
            ("e", "f"),
            ("f", "g"),
        ] {
            g.add(a, b, String::new());
        }
        assert_eq!(
            g.cycles(),
            [
                vec!["a".to_owned(), "b".into()],
                vec!["c".into(), "d".into(), "e".into()]
            ]
        );
        assert_eq!(g.len(), 7);
    }
}
