//! The engine's own syntax tree, converted from promql-parser's: times in milliseconds, operators
//! as enums, parentheses gone (they only group), and nesting bounded.

mod convert;

use promql_parser::label::Matcher;
use promql_parser::parser as pp;

use super::labels::METRIC_NAME;

/// Deeper expressions are refused rather than risking the stack.
pub const MAX_DEPTH: usize = 256;

/// Parses a PromQL expression into the engine's tree.
pub fn parse(query: &str) -> Result<Expr, String> {
    let query = super::duration::expand(&super::escapes::rewrite(query))?;
    let e = pp::parse(&query)?;
    convert::convert(&e, 0)
}

/// The type of value an expression yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A number.
    Scalar,
    /// An instant vector.
    Vector,
    /// A range vector.
    Matrix,
    /// A string.
    String,
}

/// `@` resolved to a time, or to the query's start or end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum At {
    /// Milliseconds since the epoch.
    Time(i64),
    /// `@ start()`.
    Start,
    /// `@ end()`.
    End,
}

/// A vector selector.
#[derive(Debug, Clone)]
pub struct Selector {
    /// Label matchers (the name as a matcher included).
    pub matchers: Vec<Matcher>,
    /// `offset`, in milliseconds (negative for negative offsets).
    pub offset: i64,
    /// `@`.
    pub at: Option<At>,
}

impl Selector {
    /// The metric name when an equality matcher pins it.
    pub fn pinned_name(&self) -> Option<&str> {
        self.matchers
            .iter()
            .find(|m| m.name == METRIC_NAME && m.op == promql_parser::label::MatchOp::Equal)
            .map(|m| m.value.as_str())
    }
}

/// Arithmetic, comparison and set operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
    Unless,
}

impl BinOp {
    /// `==`, `!=`, `>`, `<`, `>=`, `<=`.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le)
    }

    /// `and`, `or`, `unless`.
    pub fn is_set(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or | BinOp::Unless)
    }
}

/// Which side may match several series of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Card {
    /// Plain matching.
    OneToOne,
    /// `group_left`.
    ManyToOne,
    /// `group_right`.
    OneToMany,
    /// Set operators.
    ManyToMany,
}

/// A binary operation.
#[derive(Debug, Clone)]
pub struct Binary {
    /// The operator.
    pub op: BinOp,
    /// Left operand.
    pub lhs: Expr,
    /// Right operand.
    pub rhs: Expr,
    /// Matching cardinality.
    pub card: Card,
    /// `on(…)` (true) or `ignoring(…)` (false) and its labels; `ignoring()` when absent.
    pub on: bool,
    /// The labels of `on`/`ignoring`.
    pub matching: Vec<String>,
    /// The labels of `group_left(…)`/`group_right(…)`.
    pub include: Vec<String>,
    /// `bool`.
    pub return_bool: bool,
}

/// Aggregation operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum AggOp {
    Sum,
    Avg,
    Count,
    Min,
    Max,
    Group,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    Quantile,
    CountValues,
    Limitk,
    LimitRatio,
}

/// An aggregation.
#[derive(Debug, Clone)]
pub struct Aggregate {
    /// The operator.
    pub op: AggOp,
    /// What is aggregated.
    pub expr: Expr,
    /// k, φ, the ratio, or count_values' label.
    pub param: Option<Expr>,
    /// `by`/`without` labels, sorted.
    pub grouping: Vec<String>,
    /// `without` rather than `by`.
    pub without: bool,
}

/// A subquery `expr[range:step]`.
#[derive(Debug, Clone)]
pub struct Subquery {
    /// The inner expression.
    pub expr: Expr,
    /// Range in milliseconds.
    pub range: i64,
    /// Step in milliseconds; None for the default.
    pub step: Option<i64>,
    /// Offset in milliseconds.
    pub offset: i64,
    /// `@`.
    pub at: Option<At>,
}

/// An expression.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Expr {
    Number(f64),
    String(String),
    Vector(Box<Selector>),
    /// A range selector and its range in milliseconds.
    Matrix(Box<Selector>, i64),
    Subquery(Box<Subquery>),
    Neg(Box<Expr>),
    Binary(Box<Binary>),
    Aggregate(Box<Aggregate>),
    Call(String, Vec<Expr>),
}

impl Expr {
    /// The type of value the expression yields.
    pub fn kind(&self) -> Kind {
        match self {
            Expr::Number(_) => Kind::Scalar,
            Expr::String(_) => Kind::String,
            Expr::Vector(_) | Expr::Aggregate(_) => Kind::Vector,
            Expr::Matrix(..) | Expr::Subquery(_) => Kind::Matrix,
            Expr::Neg(e) => e.kind(),
            Expr::Binary(b) if b.lhs.kind() == Kind::Scalar && b.rhs.kind() == Kind::Scalar => Kind::Scalar,
            Expr::Binary(_) => Kind::Vector,
            Expr::Call(name, _) => match name.as_str() {
                "time" | "scalar" | "pi" => Kind::Scalar,
                _ => Kind::Vector,
            },
        }
    }

    /// Visits this expression and every one below it, parents first; `f` returning false stops
    /// the descent below that node.
    pub fn walk(&self, f: &mut impl FnMut(&Expr) -> bool) {
        if !f(self) {
            return;
        }
        match self {
            Expr::Subquery(s) => s.expr.walk(f),
            Expr::Neg(e) => e.walk(f),
            Expr::Binary(b) => {
                b.lhs.walk(f);
                b.rhs.walk(f);
            }
            Expr::Aggregate(a) => {
                if let Some(p) = &a.param {
                    p.walk(f);
                }
                a.expr.walk(f);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
            Expr::Number(_) | Expr::String(_) | Expr::Vector(_) | Expr::Matrix(..) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_times_and_operators() {
        let e = parse("sum by (b, a) (rate(m{x=\"1\"}[5m] offset -1m @ 100)) > bool 2").unwrap();
        let Expr::Binary(b) = &e else { panic!("{e:?}") };
        assert_eq!(b.op, BinOp::Gt);
        assert!(b.return_bool);
        let Expr::Aggregate(a) = &b.lhs else { panic!() };
        assert_eq!(a.grouping, vec!["a", "b"]);
        let Expr::Call(name, args) = &a.expr else { panic!() };
        assert_eq!(name, "rate");
        let Expr::Matrix(sel, range) = &args[0] else { panic!() };
        assert_eq!((*range, sel.offset, sel.at), (300_000, -60_000, Some(At::Time(100_000))));
        assert_eq!(sel.pinned_name(), Some("m"));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(300), ")".repeat(300));
        assert!(parse(&deep).unwrap_err().contains("deeper"));
    }
}
