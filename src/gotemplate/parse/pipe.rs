//! Pipelines and what they are made of: declarations, commands, operands and terms.

use super::super::ast::{Arg, Command, Pipe};
use super::super::lex::{go_quote, Kind};
use super::super::number::{parse_number, NumberKind};
use super::{Parser, R};

impl<'a> Parser<'a, '_> {
    pub(super) fn pipeline(&mut self, context: &str, end: Kind) -> R<Pipe<'a>> {
        let start = self.peek_non_space();
        let mut pipe = Pipe { pos: start.pos, is_assign: false, decl: Vec::new(), cmds: Vec::new() };
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            self.next();
            let after = self.peek();
            let next = self.peek_non_space();
            let name = self.val(v);
            if matches!(next.kind, Kind::Assign | Kind::Declare) {
                pipe.is_assign = next.kind == Kind::Assign;
                self.next_non_space();
                pipe.decl.push(name);
                self.vars.push(name);
            } else if next.kind == Kind::Char && self.val(next) == "," {
                self.next_non_space();
                pipe.decl.push(name);
                self.vars.push(name);
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().kind {
                        Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                        _ => return self.error("range can only initialize variables"),
                    }
                }
                return self.error(format!("too many declarations in {context}"));
            } else if after.kind == Kind::Space {
                self.backup3(v, after);
            } else {
                self.backup2(v);
            }
            break;
        }
        loop {
            let t = self.next_non_space();
            match t.kind {
                k if k == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                Kind::Bool
                | Kind::CharConstant
                | Kind::Complex
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe<'a>, context: &str) -> R<()> {
        if pipe.cmds.is_empty() {
            return self.error(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(c.args[0], Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String(..)) {
                return self.error(format!("non executable command in pipeline stage {}", i + 1));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> R<Command<'a>> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(arg) = self.operand()? {
                args.push(arg);
            }
            let t = self.next();
            match t.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(t, "operand"),
            }
            break;
        }
        if args.is_empty() {
            return self.error("empty command");
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> R<Option<Arg<'a>>> {
        let Some((node, raw)) = self.term()? else { return Ok(None) };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        let at = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == Kind::Field {
            let f = self.next();
            fields.push(&self.val(f)[1..]);
        }
        Ok(Some(match node {
            Arg::Field(p, mut idents) => {
                idents.extend(fields);
                Arg::Field(p, idents)
            }
            Arg::Variable(p, mut idents) => {
                idents.extend(fields);
                Arg::Variable(p, idents)
            }
            Arg::Bool(..) | Arg::String(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                return self.error(format!("unexpected . after term {}", go_quote(raw)))
            }
            other => Arg::Chain(at, Box::new(other), fields),
        }))
    }

    fn term(&mut self) -> R<Option<(Arg<'a>, &'a str)>> {
        let t = self.next_non_space();
        let raw = self.val(t);
        let arg = match t.kind {
            Kind::Identifier => {
                if !self.opts.skip_func_check && !self.opts.has_function(raw) {
                    return self.error_at(t.pos, format!("function {} not defined", go_quote(raw)));
                }
                Arg::Identifier(t.pos, raw)
            }
            Kind::Dot => Arg::Dot(t.pos),
            Kind::Nil => Arg::Nil(t.pos),
            Kind::Variable => {
                if !(self.vars.contains(&raw) || self.predeclared && self.opts.vars.contains(&raw)) {
                    return self.error_at(t.pos, format!("undefined variable {}", go_quote(raw)));
                }
                Arg::Variable(t.pos, vec![raw])
            }
            Kind::Field => Arg::Field(t.pos, vec![&raw[1..]]),
            Kind::Bool => Arg::Bool(t.pos, raw == "true"),
            Kind::CharConstant | Kind::Complex | Kind::Number => {
                let kind = match t.kind {
                    Kind::CharConstant => NumberKind::Char,
                    Kind::Complex => NumberKind::Complex,
                    _ => NumberKind::Plain,
                };
                match parse_number(raw, kind) {
                    Ok(n) => Arg::Number(t.pos, n, raw),
                    Err(e) => return self.error_at(t.pos, e),
                }
            }
            Kind::LeftParen => {
                if self.depth >= self.opts.max_depth {
                    return self.error("max expression depth exceeded");
                }
                self.depth += 1;
                let pipe = self.pipeline("parenthesized pipeline", Kind::RightParen);
                self.depth -= 1;
                Arg::Pipe(Box::new(pipe?))
            }
            Kind::String | Kind::RawString => Arg::String(t.pos, self.unquote(t)?),
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some((arg, raw)))
    }
}
