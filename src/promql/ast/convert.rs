//! Conversion of promql-parser's tree into the engine's.

use std::time::{Duration, SystemTime};

use promql_parser::label::Matcher;
use promql_parser::parser::{self as pp, AtModifier, LabelModifier, Offset, VectorMatchCardinality};

use super::{AggOp, Aggregate, At, BinOp, Binary, Card, Expr, Selector, Subquery, MAX_DEPTH};
use crate::promql::labels::METRIC_NAME;

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

pub fn convert(e: &pp::Expr, depth: usize) -> Result<Expr, String> {
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
