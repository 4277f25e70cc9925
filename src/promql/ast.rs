//! The engine's own syntax tree, converted from promql-parser's: times in milliseconds, operators
//! as enums, parentheses gone (they only group), and nesting bounded.

use std::time::{Duration, SystemTime};

use promql_parser::label::Matcher;
use promql_parser::parser::{self as pp, AtModifier, LabelModifier, Offset, VectorMatchCardinality};

use super::labels::METRIC_NAME;

/// Deeper expressions are refused rather than risking the stack.
pub const MAX_DEPTH: usize = 256;

/// Parses a PromQL expression into the engine's tree.
pub fn parse(query: &str) -> Result<Expr, String> {
    let query = super::duration::expand(&super::escapes::rewrite(query))?;
    let e = pp::parse(&query)?;
    convert(&e, 0)
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

fn ms(d: &Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn offset_ms(o: &Option<Offset>) -> i64 {
    match o {
        None => 0,
        Some(Offset::Pos(d)) => ms(d),
        Some(Offset::Neg(d)) => -ms(d),
    }
}

fn at(a: &Option<AtModifier>) -> Option<At> {
    a.as_ref().map(|a| match a {
        AtModifier::Start => At::Start,
        AtModifier::End => At::End,
        AtModifier::At(t) => At::Time(match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => ms(&d),
            Err(e) => -ms(&e.duration()),
        }),
    })
}

fn selector(vs: &pp::VectorSelector) -> Selector {
    let mut matchers = vs.matchers.matchers.clone();
    if let Some(name) = &vs.name {
        matchers.push(Matcher::new(promql_parser::label::MatchOp::Equal, METRIC_NAME, name));
    }
    Selector { matchers, offset: offset_ms(&vs.offset), at: at(&vs.at) }
}

fn bin_op(op: &str) -> Result<BinOp, String> {
    Ok(match op {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Mod,
        "^" => BinOp::Pow,
        "atan2" => BinOp::Atan2,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        ">" => BinOp::Gt,
        "<" => BinOp::Lt,
        ">=" => BinOp::Ge,
        "<=" => BinOp::Le,
        "and" => BinOp::And,
        "or" => BinOp::Or,
        "unless" => BinOp::Unless,
        other => return Err(format!("operator {other:?} is not supported")),
    })
}

fn agg_op(op: &str) -> Result<AggOp, String> {
    Ok(match op {
        "sum" => AggOp::Sum,
        "avg" => AggOp::Avg,
        "count" => AggOp::Count,
        "min" => AggOp::Min,
        "max" => AggOp::Max,
        "group" => AggOp::Group,
        "stddev" => AggOp::Stddev,
        "stdvar" => AggOp::Stdvar,
        "topk" => AggOp::Topk,
        "bottomk" => AggOp::Bottomk,
        "quantile" => AggOp::Quantile,
        "count_values" => AggOp::CountValues,
        "limitk" => AggOp::Limitk,
        "limit_ratio" => AggOp::LimitRatio,
        other => return Err(format!("aggregation {other:?} is not supported")),
    })
}

fn convert(e: &pp::Expr, depth: usize) -> Result<Expr, String> {
    if depth > MAX_DEPTH {
        return Err(format!("expression nests deeper than {MAX_DEPTH} levels"));
    }
    let sub = |e: &pp::Expr| convert(e, depth + 1);
    Ok(match e {
        pp::Expr::NumberLiteral(n) => Expr::Number(n.val),
        pp::Expr::StringLiteral(s) => Expr::String(s.val.clone()),
        pp::Expr::Paren(p) => sub(&p.expr)?,
        pp::Expr::Unary(u) => match sub(&u.expr)? {
            Expr::Number(n) => Expr::Number(-n),
            inner => Expr::Neg(Box::new(inner)),
        },
        pp::Expr::VectorSelector(vs) => Expr::Vector(Box::new(selector(vs))),
        pp::Expr::MatrixSelector(m) => Expr::Matrix(Box::new(selector(&m.vs)), ms(&m.range)),
        pp::Expr::Subquery(s) => Expr::Subquery(Box::new(Subquery {
            expr: sub(&s.expr)?,
            range: ms(&s.range),
            step: s.step.as_ref().map(ms).filter(|&s| s > 0),
            offset: offset_ms(&s.offset),
            at: at(&s.at),
        })),
        pp::Expr::Call(c) => {
            Expr::Call(c.func.name.to_string(), c.args.args.iter().map(|a| sub(a)).collect::<Result<_, _>>()?)
        }
        pp::Expr::Aggregate(a) => {
            let (mut grouping, without) = match &a.modifier {
                None => (Vec::new(), false),
                Some(LabelModifier::Include(l)) => (l.labels.clone(), false),
                Some(LabelModifier::Exclude(l)) => (l.labels.clone(), true),
            };
            grouping.sort();
            grouping.dedup();
            Expr::Aggregate(Box::new(Aggregate {
                op: agg_op(&a.op.to_string())?,
                expr: sub(&a.expr)?,
                param: a.param.as_ref().map(|p| sub(p)).transpose()?,
                grouping,
                without,
            }))
        }
        pp::Expr::Binary(b) => {
            let op = bin_op(&b.op.to_string())?;
            let m = b.modifier.clone().unwrap_or_default();
            if m.fill_values.lhs.is_some() || m.fill_values.rhs.is_some() {
                return Err("fill modifiers are not part of PromQL 3.5".into());
            }
            let (card, include) = match &m.card {
                VectorMatchCardinality::OneToOne => (Card::OneToOne, vec![]),
                VectorMatchCardinality::ManyToOne(l) => (Card::ManyToOne, l.labels.clone()),
                VectorMatchCardinality::OneToMany(l) => (Card::OneToMany, l.labels.clone()),
                VectorMatchCardinality::ManyToMany => (Card::ManyToMany, vec![]),
            };
            let card = if op.is_set() { Card::ManyToMany } else { card };
            let (on, matching) = match &m.matching {
                None => (false, vec![]),
                Some(LabelModifier::Include(l)) => (true, l.labels.clone()),
                Some(LabelModifier::Exclude(l)) => (false, l.labels.clone()),
            };
            Expr::Binary(Box::new(Binary {
                op,
                lhs: sub(&b.lhs)?,
                rhs: sub(&b.rhs)?,
                card,
                on,
                matching,
                include,
                return_bool: m.return_bool,
            }))
        }
        pp::Expr::Extension(_) => return Err("extension expressions are not supported".into()),
    })
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
