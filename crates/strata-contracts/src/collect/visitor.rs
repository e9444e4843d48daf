//! The statement visitor that turns one parsed module into [`Import`] records.

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use super::{Import, ImportKind, TypeChecking};

/// Walks a module body, keeping the facts that decide whether an import runs when the module
/// is imported: function nesting, `if TYPE_CHECKING:` and `try/except ImportError` guards.
pub(super) struct ImportVisitor<'a> {
    /// The package that relative imports resolve against (the module itself for `__init__`).
    package: &'a str,
    /// Only walk expressions (for `importorskip` calls) when the source mentions it: walking
    /// every expression of every file costs more than the statement walk itself.
    scan_calls: bool,
    function_depth: u32,
    type_checking: TypeChecking,
    guard_depth: u32,
    /// With `line` and `column` still 0: [`super::parse_imports`] fills them from `offsets`
    /// in one pass over the source, which stops at the last import instead of indexing every
    /// line of every file.
    pub(super) imports: Vec<Import>,
    /// The byte offset of each import.
    pub(super) offsets: Vec<TextSize>,
}

impl<'a> ImportVisitor<'a> {
    pub(super) fn new(package: &'a str, scan_calls: bool) -> Self {
        Self {
            package,
            scan_calls,
            function_depth: 0,
            type_checking: TypeChecking::No,
            guard_depth: 0,
            imports: Vec::new(),
            offsets: Vec::new(),
        }
    }

    fn push(&mut self, module: String, offset: TextSize, kind: ImportKind) {
        self.offsets.push(offset);
        self.imports.push(Import {
            module,
            line: 0,
            column: 0,
            kind,
            in_function: self.function_depth > 0,
            type_checking: self.type_checking,
            import_error_guard: self.guard_depth > 0,
        });
    }

    /// Resolves `from <dots><module> import ...` to an absolute package name, `None` when the
    /// dots climb above the top-level package.
    fn resolve_from(&self, level: u32, module: Option<&str>) -> Option<String> {
        if level == 0 {
            return module.map(str::to_owned);
        }
        let mut base = self.package;
        for _ in 1..level {
            base = base.rsplit_once('.')?.0;
        }
        Some(match module {
            Some(module) => format!("{base}.{module}"),
            None => base.to_owned(),
        })
    }
}

impl<'a> Visitor<'a> for ImportVisitor<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(ast::StmtImport { names, .. }) => {
                for alias in names {
                    self.push(alias.name.id.to_string(), stmt.start(), ImportKind::Import);
                }
            }
            Stmt::ImportFrom(ast::StmtImportFrom {
                module,
                names,
                level,
                ..
            }) => {
                let Some(base) = self.resolve_from(*level, module.as_ref().map(|m| m.id.as_str()))
                else {
                    return;
                };
                for alias in names {
                    // `from a import *` can only bind names of `a` itself.
                    let name = if alias.name.id.as_str() == "*" {
                        base.clone()
                    } else {
                        format!("{base}.{}", alias.name.id)
                    };
                    self.push(name, stmt.start(), ImportKind::FromImport);
                }
            }
            Stmt::FunctionDef(function) => {
                // Decorators, defaults and annotations run at definition time; only the body
                // is deferred.
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.function_depth += 1;
                self.visit_body(&function.body);
                self.function_depth -= 1;
            }
            Stmt::If(ast::StmtIf {
                test,
                body,
                elif_else_clauses,
                ..
            }) if is_type_checking(test) => {
                let outer = self.type_checking;
                self.type_checking = TypeChecking::Body;
                self.visit_body(body);
                // The `else` of `if TYPE_CHECKING:` runs; import-linter still counts it as
                // type-checking only, so it gets its own state.
                if outer == TypeChecking::No {
                    self.type_checking = TypeChecking::Else;
                }
                for clause in elif_else_clauses {
                    self.visit_body(&clause.body);
                }
                self.type_checking = outer;
            }
            Stmt::Try(ast::StmtTry {
                body,
                handlers,
                orelse,
                finalbody,
                ..
            }) if handlers.iter().any(catches_import_error) => {
                self.guard_depth += 1;
                self.visit_body(body);
                self.guard_depth -= 1;
                for handler in handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(orelse);
                self.visit_body(finalbody);
            }
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.scan_calls {
            return;
        }
        if let Expr::Call(call) = expr
            && is_importorskip(&call.func)
            && let Some(Expr::StringLiteral(literal)) = call.arguments.args.first()
        {
            self.push(
                literal.value.to_str().to_owned(),
                call.start(),
                ImportKind::ImportOrSkip,
            );
        }
        walk_expr(self, expr);
    }
}

/// `TYPE_CHECKING` or `<anything>.TYPE_CHECKING`, syntactically, as grimp detects it.
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// Whether a handler catches a failed import: `ImportError`, `ModuleNotFoundError` (alone, in a
/// tuple, or qualified), or a bare `except:`.
fn catches_import_error(handler: &ast::ExceptHandler) -> bool {
    let ast::ExceptHandler::ExceptHandler(handler) = handler;
    let Some(exception) = handler.type_.as_deref() else {
        return true;
    };
    let names_import_error = |expr: &Expr| {
        let name = match expr {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.id.as_str(),
            _ => return false,
        };
        matches!(name, "ImportError" | "ModuleNotFoundError")
    };
    match exception {
        Expr::Tuple(tuple) => tuple.elts.iter().any(names_import_error),
        other => names_import_error(other),
    }
}

/// `pytest.importorskip(...)` or a bare `importorskip(...)` (after `from pytest import ...`).
fn is_importorskip(func: &Expr) -> bool {
    match func {
        Expr::Attribute(attribute) => {
            attribute.attr.id.as_str() == "importorskip"
                && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == "pytest")
        }
        Expr::Name(name) => name.id.as_str() == "importorskip",
        _ => false,
    }
}
